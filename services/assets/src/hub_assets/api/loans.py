"""HTTP API of equipment loans: reserve, a hub's loans, one loan, hand over, take back, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub_assets.api.deps import Loans
from hub_assets.api.schemas import ConditionIn, LoanIn, LoanRequestIn, ReasonIn
from hub_assets.domain.loans import Loan
from hub_common.contracts.assets import LoanStatus
from hub_common.http import Caller, Idempotency, IfMatch, Paging, set_etag
from hub_common.pagination import Page

router = APIRouter(prefix="/v1", tags=["loans"])


@router.post("/equipment/{asset_id}/loans", status_code=201, summary="Reserve equipment (hub staff or partners)")
async def reserve(
    asset_id: str, body: LoanIn, response: Response, principal: Caller, loans: Loans, idempotency: Idempotency
) -> Loan:
    loan = await loans.reserve(
        principal,
        asset_id,
        borrower_kind=body.borrower_kind,
        borrower_id=body.borrower_id,
        starts_at=body.starts_at,
        due_at=body.due_at,
        quantity=body.quantity,
        contact=body.contact.to_contact() if body.contact else None,
        idempotency=idempotency,
    )
    set_etag(response, loan.version)
    response.headers["Location"] = f"/v1/loans/{loan.id}"
    return loan


@router.post(
    "/equipment/{asset_id}/loan-requests",
    status_code=201,
    summary="Ask to borrow equipment (residents): a request the hub's staff approve or decline",
)
async def request_loan(
    asset_id: str, body: LoanRequestIn, response: Response, principal: Caller, loans: Loans, idempotency: Idempotency
) -> Loan:
    loan = await loans.request(
        principal,
        asset_id,
        starts_at=body.starts_at,
        due_at=body.due_at,
        quantity=body.quantity,
        notes=body.notes,
        contact=body.contact.to_contact() if body.contact else None,
        idempotency=idempotency,
    )
    set_etag(response, loan.version)
    response.headers["Location"] = f"/v1/loans/{loan.id}"
    return loan


@router.get("/loans", summary="A hub's loans by status (hub staff or partners); without hub_id, your own")
async def list_loans(
    page: Paging,
    principal: Caller,
    loans: Loans,
    hub_id: Annotated[str | None, Query(max_length=64)] = None,
    status: LoanStatus | None = None,
) -> Page[Loan]:
    if hub_id is None:
        items, cursor = await loans.mine(principal, status, limit=page.limit, cursor=page.cursor)
    else:
        items, cursor = await loans.in_hub(
            principal, hub_id, status or "checked_out", limit=page.limit, cursor=page.cursor
        )
    return Page[Loan](items=items, next_cursor=cursor)


@router.get("/loans/{loan_id}", summary="One loan")
async def get_loan(loan_id: str, response: Response, principal: Caller, loans: Loans) -> Loan:
    loan = await loans.get(principal, loan_id)
    set_etag(response, loan.version)
    return loan


@router.post("/loans/{loan_id}/check-out", summary="Hand the equipment over")
async def check_out(
    loan_id: str, body: ConditionIn, response: Response, principal: Caller, expected: IfMatch, loans: Loans
) -> Loan:
    loan = await loans.check_out(principal, loan_id, body.condition, expected)
    set_etag(response, loan.version)
    return loan


@router.post("/loans/{loan_id}/check-in", summary="Take the equipment back, with its condition")
async def check_in(
    loan_id: str, body: ConditionIn, response: Response, principal: Caller, expected: IfMatch, loans: Loans
) -> Loan:
    loan = await loans.check_in(principal, loan_id, body.condition, expected)
    set_etag(response, loan.version)
    return loan


@router.post("/loans/{loan_id}/approve", summary="Approve a resident's request: it becomes a reservation (hub staff)")
async def approve(loan_id: str, response: Response, principal: Caller, expected: IfMatch, loans: Loans) -> Loan:
    loan = await loans.approve(principal, loan_id, expected)
    set_etag(response, loan.version)
    return loan


@router.post("/loans/{loan_id}/decline", summary="Decline a resident's request, with a reason (hub staff)")
async def decline(
    loan_id: str,
    response: Response,
    principal: Caller,
    expected: IfMatch,
    loans: Loans,
    body: ReasonIn | None = None,
) -> Loan:
    loan = await loans.decline(principal, loan_id, body.reason if body else None, expected)
    set_etag(response, loan.version)
    return loan


@router.post("/loans/{loan_id}/cancel", summary="Cancel a reservation (hub staff, partners, or the borrower)")
async def cancel(loan_id: str, response: Response, principal: Caller, expected: IfMatch, loans: Loans) -> Loan:
    loan = await loans.cancel(principal, loan_id, expected)
    set_etag(response, loan.version)
    return loan

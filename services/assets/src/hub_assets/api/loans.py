"""HTTP API of equipment loans: reserve, a hub's loans, one loan, hand over, take back, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub_assets.api.deps import Loans
from hub_assets.api.schemas import ConditionIn, LoanIn
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


@router.get("/loans", summary="A hub's loans by status (hub staff or partners)")
async def list_loans(
    page: Paging,
    principal: Caller,
    loans: Loans,
    hub_id: Annotated[str, Query(max_length=64)],
    status: LoanStatus = "checked_out",
) -> Page[Loan]:
    items, cursor = await loans.in_hub(principal, hub_id, status, limit=page.limit, cursor=page.cursor)
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


@router.post("/loans/{loan_id}/cancel", summary="Cancel a reservation")
async def cancel(loan_id: str, response: Response, principal: Caller, expected: IfMatch, loans: Loans) -> Loan:
    loan = await loans.cancel(principal, loan_id, expected)
    set_etag(response, loan.version)
    return loan

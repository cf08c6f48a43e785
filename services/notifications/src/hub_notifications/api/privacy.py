"""Privacy requests (the privacy team): erase everything about a person, or export it, in every service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from hub_common.http import Caller, Idempotency, Paging
from hub_common.pagination import Page
from hub_notifications.api.deps import Privacy
from hub_notifications.api.schemas import PrivacyRequestIn, PrivacyRequestOut, SelfRequestIn
from hub_notifications.domain.privacy import Status

router = APIRouter(prefix="/v1/privacy/requests", tags=["privacy"])
RequestId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "",
    status_code=202,
    summary="Log a person's erasure or subject access request (privacy role); every service answers",
)
async def open_request(
    body: PrivacyRequestIn, response: Response, principal: Caller, privacy: Privacy, idempotency: Idempotency
) -> PrivacyRequestOut:
    request = await privacy.open(
        principal,
        kind=body.kind,
        email=str(body.email) if body.email else None,
        phone=body.phone,
        reference=body.reference,
        reason=body.reason,
        idempotency=idempotency,
    )
    response.headers["Location"] = f"/v1/privacy/requests/{request.id}"
    return PrivacyRequestOut.of(request)


@router.get("", summary="Privacy requests, newest first (open ones unless a status is given)")
async def list_requests(
    principal: Caller, page: Paging, privacy: Privacy, status: Annotated[Status | None, Query()] = None
) -> Page[PrivacyRequestOut]:
    items, next_cursor = await privacy.listing(principal, status, limit=page.limit, cursor=page.cursor)
    return Page(items=[PrivacyRequestOut.of(r) for r in items], next_cursor=next_cursor)


@router.get("/{request_id}", summary="A privacy request: each service's answer, the due date and the receipt")
async def get_request(request_id: RequestId, principal: Caller, privacy: Privacy) -> PrivacyRequestOut:
    return PrivacyRequestOut.of(await privacy.get(principal, request_id))


@router.get(
    "/{request_id}/export",
    summary="A completed subject access request's export: one zip, a JSON file per service and the receipt",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
async def export(request_id: RequestId, principal: Caller, privacy: Privacy) -> Response:
    filename, archive = await privacy.export_archive(principal, request_id)
    return Response(
        archive,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


self_router = APIRouter(prefix="/v1/privacy", tags=["privacy"])


@self_router.post(
    "/self-requests",
    status_code=202,
    summary="Ask for your data to be erased or sent to you: we email a link to confirm (open to anyone)",
)
async def ask(body: SelfRequestIn, request: Request, privacy: Privacy) -> dict[str, str]:
    await privacy.ask_by_email(
        kind=body.kind, email=str(body.email), client=request.client.host if request.client else ""
    )
    return {"detail": "If we hold anything about this email address, we have sent it a link to confirm your request."}


@self_router.post(
    "/confirmations/{confirmation_id}",
    status_code=202,
    summary="Confirm your request with the link we emailed you (it signs you in for this request only)",
)
async def confirm(
    confirmation_id: Annotated[str, Path(min_length=1, max_length=64)], principal: Caller, privacy: Privacy
) -> dict[str, str]:
    request = await privacy.confirm(principal, confirmation_id)
    return {
        "detail": "Thank you: your request is being handled.",
        "kind": request.kind,
        "due_at": request.due_at.isoformat(),
    }

"""HTTP API of Assets of Community Value: nominate, the public list, decisions and moratoria."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub_assets.api.deps import Acv
from hub_assets.api.schemas import DecisionIn, NominationIn, ReceivedIn
from hub_assets.domain.acv import AcvStatus, Nomination
from hub_common.http import Caller, Idempotency, IfMatch, Paging, set_etag
from hub_common.pagination import Page

router = APIRouter(prefix="/v1/acv", tags=["assets of community value"])


@router.post("", status_code=201, summary="Nominate an asset of community value (a group's partner account, or staff)")
async def nominate(
    body: NominationIn, response: Response, principal: Caller, acv: Acv, idempotency: Idempotency
) -> Nomination:
    nomination = await acv.nominate(
        principal,
        asset_id=body.asset_id,
        nominated_by=body.nominated_by,
        reason=body.reason,
        nominated_on=body.nominated_on,
        idempotency=idempotency,
    )
    set_etag(response, nomination.version)
    response.headers["Location"] = f"/v1/acv/{nomination.id}"
    return nomination


@router.get("", summary="The public list of assets of community value (and nominations)")
async def register(
    page: Paging, acv: Acv, hub_id: Annotated[str | None, Query(max_length=64)] = None, status: AcvStatus = "listed"
) -> Page[Nomination]:
    items, cursor = await acv.listing(hub_id=hub_id, status=status, limit=page.limit, cursor=page.cursor)
    return Page[Nomination](items=items, next_cursor=cursor)


@router.get("/{acv_id}", summary="One entry with its statutory dates")
async def get(acv_id: str, response: Response, acv: Acv) -> Nomination:
    nomination = await acv.get(acv_id)
    set_etag(response, nomination.version)
    return nomination


@router.post("/{acv_id}/decision", summary="List or refuse to list (hub staff)")
async def decide(
    acv_id: str, body: DecisionIn, response: Response, principal: Caller, expected: IfMatch, acv: Acv
) -> Nomination:
    nomination = await acv.decide(
        principal, acv_id, listed=body.listed, decided_on=body.decided_on, reason=body.reason, expected=expected
    )
    set_etag(response, nomination.version)
    return nomination


@router.post("/{acv_id}/disposal-notice", summary="The owner's notice of intent to sell: the interim moratorium")
async def disposal_notice(
    acv_id: str, body: ReceivedIn, response: Response, principal: Caller, expected: IfMatch, acv: Acv
) -> Nomination:
    nomination = await acv.notice_of_disposal(principal, acv_id, body.received_on, expected)
    set_etag(response, nomination.version)
    return nomination


@router.post("/{acv_id}/community-request", summary="A group's request to bid: the full moratorium")
async def community_request(
    acv_id: str, body: ReceivedIn, response: Response, principal: Caller, expected: IfMatch, acv: Acv
) -> Nomination:
    nomination = await acv.community_request(principal, acv_id, body.received_on, expected)
    set_etag(response, nomination.version)
    return nomination

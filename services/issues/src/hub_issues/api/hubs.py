"""``/v1/hubs``: define hubs and their boundaries; which hub a point belongs to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub_common.errors import RuleViolation
from hub_common.http import Idempotency, IfMatch, Paging, set_etag
from hub_common.pagination import Page
from hub_issues.api.deps import Editor, Hubs, one_version
from hub_issues.api.schemas import HubIn, HubLocation, HubOut, HubPatch
from hub_issues.api.views import hub_view

router = APIRouter(prefix="/v1")


@router.post("/hubs", status_code=201, tags=["hubs"], summary="Define a hub and its boundary")
async def create_hub(
    body: HubIn, response: Response, principal: Editor, hubs: Hubs, idempotency: Idempotency
) -> HubOut:
    hub = await hubs.create(
        principal,
        hub_id=body.id,
        name=body.name,
        boundary=body.boundary.model_dump(),
        is_default=body.is_default,
        idempotency=idempotency,
    )
    set_etag(response, hub.version)
    response.headers["Location"] = f"/v1/hubs/{hub.id}"
    return hub_view(hub)


@router.get("/hubs", tags=["hubs"], summary="List hubs")
async def list_hubs(page: Paging, hubs: Hubs) -> Page[HubOut]:
    items, cursor = await hubs.page(page)
    return Page[HubOut](items=[hub_view(h) for h in items], next_cursor=cursor)


@router.get("/hubs/locate", tags=["hubs"], summary="Which hub a point belongs to")
async def locate(
    lat: Annotated[float, Query(ge=-90, le=90)], lon: Annotated[float, Query(ge=-180, le=180)], hubs: Hubs
) -> HubLocation:
    return HubLocation(hub_id=await hubs.locate(lat, lon), lat=lat, lon=lon)


@router.get("/hubs/{hub_id}", tags=["hubs"], summary="One hub")
async def get_hub(hub_id: str, response: Response, hubs: Hubs) -> HubOut:
    hub = await hubs.get(hub_id)
    set_etag(response, hub.version)
    return hub_view(hub)


@router.patch("/hubs/{hub_id}", tags=["hubs"], summary="Change a hub (If-Match or version)")
async def update_hub(
    hub_id: str, body: HubPatch, response: Response, principal: Editor, if_match: IfMatch, hubs: Hubs
) -> HubOut:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    if "boundary" in changes and changes["boundary"] is None:
        raise RuleViolation("a hub needs a boundary")
    hub = await hubs.update(principal, hub_id, changes, one_version(if_match, body.version))
    set_etag(response, hub.version)
    return hub_view(hub)

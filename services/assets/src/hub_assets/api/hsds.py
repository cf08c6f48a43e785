"""Open Referral UK (HSDS 3.0) export of the directory: organisations, services and locations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hub_assets.api.deps import Directory

PageNumber = Annotated[int, Query(ge=1, le=10_000, alias="page")]
PerPage = Annotated[int, Query(ge=1, le=200)]
HubFilter = Annotated[str | None, Query(max_length=64, description="only this hub's directory")]

router = APIRouter(prefix="/v1/hsds", tags=["open referral (HSDS)"])


@router.get("/organizations", summary="Organisations and groups, as HSDS organization objects")
async def organizations(
    directory: Directory, hub_id: HubFilter = None, page_number: PageNumber = 1, per_page: PerPage = 50
) -> dict[str, Any]:
    return await directory.hsds_organizations(hub_id, page_number, per_page)


@router.get("/services", summary="Services with their organisation, schedules, costs and locations")
async def services(
    request: Request,
    directory: Directory,
    hub_id: HubFilter = None,
    page_number: PageNumber = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    return await directory.hsds_services(hub_id, page_number, per_page, base_url=str(request.base_url).rstrip("/"))


@router.get("/locations", summary="Buildings and spaces, as HSDS location objects")
async def locations(
    directory: Directory, hub_id: HubFilter = None, page_number: PageNumber = 1, per_page: PerPage = 50
) -> dict[str, Any]:
    return await directory.hsds_locations(hub_id, page_number, per_page)

"""Open Referral UK (HSDS 3.0) export of the directory: organisations, services and locations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hub_assets.domain import hsds
from hub_assets.service import AssetsService

PageNumber = Annotated[int, Query(ge=1, le=10_000, alias="page")]
PerPage = Annotated[int, Query(ge=1, le=200)]
HubFilter = Annotated[str | None, Query(max_length=64, description="only this hub's directory")]


def hsds_router(svc: AssetsService) -> APIRouter:
    router = APIRouter(prefix="/v1/hsds", tags=["open referral (HSDS)"])

    async def fetch(kinds: tuple[str, ...], hub_id: str | None, page_number: int, per_page: int):
        return await svc.assets.list_kinds(kinds, hub_id=hub_id, skip=(page_number - 1) * per_page, limit=per_page)

    @router.get("/organizations", summary="Organisations and groups, as HSDS organization objects")
    async def organizations(
        hub_id: HubFilter = None, page_number: PageNumber = 1, per_page: PerPage = 50
    ) -> dict[str, Any]:
        assets, total = await fetch(("organisation",), hub_id, page_number, per_page)
        return hsds.page([hsds.organization(a) for a in assets], total=total, page_number=page_number, size=per_page)

    @router.get("/services", summary="Services with their organisation, schedules, costs and locations")
    async def services(
        request: Request, hub_id: HubFilter = None, page_number: PageNumber = 1, per_page: PerPage = 50
    ) -> dict[str, Any]:
        assets, total = await fetch(("service",), hub_id, page_number, per_page)
        org_ids = [a.service.organisation_id for a in assets if a.service and a.service.organisation_id]
        orgs = await svc.assets.find_many(org_ids) if org_ids else {}
        base = str(request.base_url).rstrip("/")
        contents = [
            hsds.service(a, orgs.get(a.service.organisation_id or "") if a.service else None, base) for a in assets
        ]
        return hsds.page(contents, total=total, page_number=page_number, size=per_page)

    @router.get("/locations", summary="Buildings and spaces, as HSDS location objects")
    async def locations(
        hub_id: HubFilter = None, page_number: PageNumber = 1, per_page: PerPage = 50
    ) -> dict[str, Any]:
        assets, total = await fetch(("space",), hub_id, page_number, per_page)
        contents = [place for a in assets if (place := hsds.location(a)) is not None]
        return hsds.page(contents, total=total, page_number=page_number, size=per_page)

    return router

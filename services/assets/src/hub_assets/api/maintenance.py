"""HTTP API of maintenance: an asset's records, opening one, completing one (hub staff)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_assets.api.deps import Maintenance
from hub_assets.api.schemas import CompleteIn, MaintenanceIn
from hub_assets.domain.maintenance import MaintenanceRecord
from hub_common.http import Caller, IfMatch, Paging, set_etag
from hub_common.pagination import Page

router = APIRouter(prefix="/v1")
ON_THE_MAP = ["asset map", "maintenance"]  # an asset's records show with the asset map too


@router.get("/assets/{asset_id}/maintenance", tags=ON_THE_MAP, summary="Maintenance records (hub staff)")
async def maintenance(asset_id: str, page: Paging, principal: Caller, records: Maintenance) -> Page[MaintenanceRecord]:
    items, cursor = await records.for_asset(principal, asset_id, limit=page.limit, cursor=page.cursor)
    return Page[MaintenanceRecord](items=items, next_cursor=cursor)


@router.post("/assets/{asset_id}/maintenance", status_code=201, tags=ON_THE_MAP, summary="Open maintenance")
async def open_maintenance(
    asset_id: str, body: MaintenanceIn, principal: Caller, records: Maintenance
) -> MaintenanceRecord:
    return await records.open(principal, asset_id, body.summary)


@router.post(
    "/maintenance/{record_id}/complete", tags=["maintenance"], summary="Complete a maintenance record (hub staff)"
)
async def complete(
    record_id: str, body: CompleteIn, response: Response, principal: Caller, expected: IfMatch, records: Maintenance
) -> MaintenanceRecord:
    record = await records.complete(principal, record_id, body.notes, expected)
    set_etag(response, record.version)
    return record

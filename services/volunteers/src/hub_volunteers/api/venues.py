"""Routes for the venues and equipment a hub's shifts can use (read models of the assets service)."""

from __future__ import annotations

from fastapi import APIRouter

from hub_common.http import Paging
from hub_common.pagination import Page
from hub_volunteers.api.deps import HubQuery, Venues
from hub_volunteers.domain.venues import Venue

router = APIRouter(prefix="/v1", tags=["venues"])


@router.get("/venues", summary="Rooms and spaces a hub can use for shifts (from assets)")
async def list_venues(page: Paging, hub_id: HubQuery, venues: Venues) -> Page[Venue]:
    items, cursor = await venues.venues_in(hub_id, page)
    return Page[Venue](items=items, next_cursor=cursor)


@router.get("/equipment", summary="Equipment a hub's shifts can ask for (from assets)")
async def list_equipment(page: Paging, hub_id: HubQuery, venues: Venues) -> Page[Venue]:
    items, cursor = await venues.equipment_in(hub_id, page)
    return Page[Venue](items=items, next_cursor=cursor)

"""Routes for shifts: create, list, read, change, publish a suggested one, cancel."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response

from hub_common.http import Caller, Idempotency, IfMatch, OptionalCaller, Paging, set_etag
from hub_common.pagination import Page
from hub_volunteers.api.deps import HubQuery, Shifts
from hub_volunteers.domain.shifts import Shift
from hub_volunteers.service import commands as cmd

router = APIRouter(prefix="/v1/shifts", tags=["shifts"])


def _shift(response: Response, shift: Shift) -> Shift:
    set_etag(response, shift.version)
    return shift


@router.post("", status_code=201, summary="Staff: publish a shift of a published role")
async def create_shift(
    body: cmd.CreateShift, response: Response, caller: Caller, shifts: Shifts, idempotency: Idempotency
) -> Shift:
    shift = await shifts.create(caller, body, idempotency)
    response.headers["Location"] = f"/v1/shifts/{shift.id}"
    return _shift(response, shift)


@router.get("", summary="A hub's shifts in time order (upcoming by default)")
async def list_shifts(
    caller: OptionalCaller,
    page: Paging,
    hub_id: HubQuery,
    shifts: Shifts,
    status: Literal["published", "cancelled", "suggested"] = "published",
    starts_from: datetime | None = Query(default=None, alias="from"),
) -> Page[Shift]:
    items, cursor = await shifts.in_hub(caller, hub_id, status, starts_from, page)
    return Page[Shift](items=items, next_cursor=cursor)


@router.get("/{shift_id}", summary="A shift with its places and waitlist counts")
async def get_shift(shift_id: str, response: Response, shifts: Shifts) -> Shift:
    return _shift(response, await shifts.get(shift_id))


@router.patch("/{shift_id}", summary="Staff: change time, place or capacity (If-Match)")
async def update_shift(
    shift_id: str, body: cmd.UpdateShift, caller: Caller, expected: IfMatch, response: Response, shifts: Shifts
) -> Shift:
    return _shift(response, await shifts.update(caller, shift_id, body, expected))


@router.post("/{shift_id}/publish", summary="Staff: publish a suggested shift (If-Match)")
async def publish_shift(shift_id: str, caller: Caller, expected: IfMatch, response: Response, shifts: Shifts) -> Shift:
    return _shift(response, await shifts.publish(caller, shift_id, expected))


@router.post("/{shift_id}/cancel", summary="Staff: cancel a shift")
async def cancel_shift(
    shift_id: str, body: cmd.CancelShift, caller: Caller, response: Response, shifts: Shifts
) -> Shift:
    return _shift(response, await shifts.cancel(caller, shift_id, body))

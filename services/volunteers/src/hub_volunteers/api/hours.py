"""Routes for hours and recognition: logging, the approval queue, totals, awards and the public wall."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query

from hub_common.http import Caller, Idempotency, Paging
from hub_common.insight import Scope
from hub_common.pagination import Page
from hub_volunteers.api.deps import Hours, HubQuery
from hub_volunteers.api.schemas import HoursInsight, QueuedHours, TotalRow, Totals, WallEntry
from hub_volunteers.domain.hours import HoursEntry, HoursStatus
from hub_volunteers.domain.skills import Award
from hub_volunteers.service import commands as cmd

router = APIRouter(prefix="/v1")
VOLUNTEERS = ["volunteers"]


@router.post(
    "/volunteers/{volunteer_id}/hours",
    status_code=201,
    tags=VOLUNTEERS,
    summary="Log hours (by the volunteer or staff)",
)
async def log_hours(
    volunteer_id: str, body: cmd.LogHours, caller: Caller, hours: Hours, idempotency: Idempotency
) -> HoursEntry:
    return await hours.log(caller, volunteer_id, body, idempotency)


@router.get("/volunteers/{volunteer_id}/hours", tags=VOLUNTEERS, summary="A volunteer's logged hours, latest first")
async def list_hours(volunteer_id: str, caller: Caller, page: Paging, hours: Hours) -> Page[HoursEntry]:
    items, cursor = await hours.of_volunteer(caller, volunteer_id, page)
    return Page[HoursEntry](items=items, next_cursor=cursor)


@router.get(
    "/volunteers/{volunteer_id}/totals", tags=VOLUNTEERS, summary="Approved and pending hours, by role, milestones"
)
async def totals(volunteer_id: str, caller: Caller, hours: Hours) -> Totals:
    return Totals(**await hours.totals(caller, volunteer_id))


@router.post(
    "/volunteers/{volunteer_id}/awards",
    status_code=201,
    tags=VOLUNTEERS,
    summary="Staff: give an award (e.g. Volunteer of the Month)",
)
async def give_award(
    volunteer_id: str, body: cmd.GiveAward, caller: Caller, hours: Hours, idempotency: Idempotency
) -> Award:
    return await hours.give_award(caller, volunteer_id, body, idempotency)


@router.get(
    "/volunteers/{volunteer_id}/awards", tags=VOLUNTEERS, summary="A volunteer's awards and milestones, latest first"
)
async def awards(volunteer_id: str, caller: Caller, page: Paging, hours: Hours) -> Page[Award]:
    items, cursor = await hours.awards_of(caller, volunteer_id, page)
    return Page[Award](items=items, next_cursor=cursor)


# -- the approval queue and hub totals ------------------------------------------------------------


@router.get("/hours", tags=["hours"], summary="Staff: a hub's hours by status (the approval queue), with names")
async def hours_queue(
    caller: Caller, page: Paging, hub_id: HubQuery, hours: Hours, status: HoursStatus = "pending"
) -> Page[QueuedHours]:
    entries, cursor = await hours.queue(caller, hub_id, status, page)
    items = [QueuedHours(**entry.model_dump(), name=name) for entry, name in entries]
    return Page[QueuedHours](items=items, next_cursor=cursor)


@router.post("/hours/{hours_id}/approve", tags=["hours"], summary="Staff: approve hours (may reach a milestone)")
async def approve(hours_id: str, caller: Caller, hours: Hours) -> HoursEntry:
    return await hours.approve(caller, hours_id)


@router.post("/hours/{hours_id}/reject", tags=["hours"], summary="Staff: reject hours")
async def reject(hours_id: str, caller: Caller, hours: Hours, body: cmd.Decision | None = None) -> HoursEntry:
    return await hours.reject(caller, hours_id, body or cmd.Decision())


@router.get("/hubs/{hub_id}/hours/totals", tags=["hours"], summary="Staff: approved hours per role, volunteer or month")
async def hub_totals(
    hub_id: str,
    caller: Caller,
    hours: Hours,
    group_by: Literal["role", "volunteer", "month"] = "role",
    start: date | None = Query(default=None, alias="from"),
    end: date | None = Query(default=None, alias="to", description="exclusive"),
) -> dict[str, Any]:
    rows = await hours.hub_totals(caller, hub_id, start, end, group_by)
    return {"hub_id": hub_id, "group_by": group_by, "rows": [TotalRow(**r) for r in rows]}


@router.get(
    "/insight", tags=["hours"], summary="Staff: approved volunteer hours per month of a period, for one hub or several"
)
async def insight(scope: Scope, hours: Hours) -> HoursInsight:
    return HoursInsight.model_validate(await hours.insight(scope))


# -- recognition ----------------------------------------------------------------------------------


@router.get("/recognition", tags=["recognition"], summary="Public recognition wall of a hub (opt-in)")
async def wall(page: Paging, hub_id: HubQuery, hours: Hours) -> Page[WallEntry]:
    entries, cursor = await hours.wall(hub_id, page)
    return Page[WallEntry](items=[WallEntry(**e) for e in entries], next_cursor=cursor)

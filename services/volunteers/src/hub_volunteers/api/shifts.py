"""Routes for shifts, sign-ups, attendance and the hours approval queue."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from hub_common.auth import Principal
from hub_common.concurrency import etag_for
from hub_common.errors import Unauthorized
from hub_common.http import (
    IdempotencyKeyHeader,
    PageQuery,
    current_principal,
    idempotent_request,
    if_match_version,
    optional_principal,
)
from hub_common.pagination import Page, find_page
from hub_volunteers import commands as cmd
from hub_volunteers.adapters.repository import HOURS, SHIFTS, SIGNUPS, VOLUNTEERS, from_doc
from hub_volunteers.domain.hours import HoursEntry, HoursStatus
from hub_volunteers.domain.shifts import Shift, Signup, SignupStatus
from hub_volunteers.service import VolunteersService, require_staff

Me = Annotated[Principal, Depends(current_principal)]
Anyone = Annotated[Principal | None, Depends(optional_principal)]
Expected = Annotated[int | None, Depends(if_match_version)]
HubQuery = Annotated[str, Query(min_length=1, max_length=64)]


class TotalRow(BaseModel):
    key: str | None
    hours: float
    entries: int


class RosterEntry(Signup):
    """A sign-up with the volunteer's name, for the staff running the shift."""

    name: str


class FactorView(BaseModel):
    name: str
    points: float
    max_points: int
    detail: str


class MatchView(BaseModel):
    volunteer_id: str
    name: str
    score: float
    explanation: str
    factors: list[FactorView]


def _shift(response: Response, shift: Shift) -> Shift:
    response.headers["ETag"] = etag_for(shift.version)
    return shift


def build_router(service: VolunteersService) -> APIRouter:
    router = APIRouter(prefix="/v1")
    db = service.ctx.db

    @router.post("/shifts", status_code=201, tags=["shifts"], summary="Staff: publish a shift of a published role")
    async def create_shift(
        body: cmd.CreateShift,
        request: Request,
        response: Response,
        principal: Me,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Shift:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        shift = await service.create_shift(principal, body, idem)
        response.headers["Location"] = f"/v1/shifts/{shift.id}"
        return _shift(response, shift)

    @router.get("/shifts", tags=["shifts"], summary="A hub's shifts in time order (upcoming by default)")
    async def list_shifts(
        principal: Anyone,
        page: Annotated[PageQuery, Depends()],
        hub_id: HubQuery,
        status: Literal["published", "cancelled", "suggested"] = "published",
        starts_from: datetime | None = Query(default=None, alias="from"),
    ) -> Page[Shift]:
        if status == "suggested":  # suggestions are for staff to review
            if principal is None:
                raise Unauthorized("sign in as staff to see suggested shifts")
            require_staff(principal, hub_id)
        since = starts_from or datetime.now(UTC)
        docs, cursor = await find_page(
            db[SHIFTS],
            {"hub_id": hub_id, "status": status, "starts_at": {"$gte": since}},
            sort=[("starts_at", 1)],
            limit=page.limit,
            cursor=page.cursor,
        )
        return Page[Shift](items=[from_doc(Shift, d) for d in docs], next_cursor=cursor)

    @router.get("/shifts/{shift_id}", tags=["shifts"], summary="A shift with its places and waitlist counts")
    async def get_shift(shift_id: str, response: Response) -> Shift:
        return _shift(response, await service.repo.shift(shift_id))

    @router.patch("/shifts/{shift_id}", tags=["shifts"], summary="Staff: change time, place or capacity (If-Match)")
    async def update_shift(
        shift_id: str, body: cmd.UpdateShift, principal: Me, expected: Expected, response: Response
    ) -> Shift:
        return _shift(response, await service.update_shift(principal, shift_id, body, expected))

    @router.post("/shifts/{shift_id}/publish", tags=["shifts"], summary="Staff: publish a suggested shift (If-Match)")
    async def publish_shift(shift_id: str, principal: Me, expected: Expected, response: Response) -> Shift:
        return _shift(response, await service.publish_shift(principal, shift_id, expected))

    @router.post("/shifts/{shift_id}/cancel", tags=["shifts"], summary="Staff: cancel a shift")
    async def cancel_shift(shift_id: str, body: cmd.CancelShift, principal: Me, response: Response) -> Shift:
        return _shift(response, await service.cancel_shift(principal, shift_id, body))

    @router.post(
        "/shifts/{shift_id}/signups",
        status_code=201,
        tags=["sign-ups"],
        summary="Sign up (yourself, or staff name a volunteer): confirmed while places remain, else waitlisted",
    )
    async def sign_up(
        shift_id: str,
        request: Request,
        principal: Me,
        body: cmd.SignUp | None = None,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Signup:
        body = body or cmd.SignUp()
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        return await service.sign_up(principal, shift_id, body, idem)

    @router.get("/shifts/{shift_id}/signups", tags=["sign-ups"], summary="Staff: roster or waitlist in queue order")
    async def roster(
        shift_id: str,
        principal: Me,
        page: Annotated[PageQuery, Depends()],
        status: SignupStatus = "confirmed",
    ) -> Page[RosterEntry]:
        shift = await service.repo.shift(shift_id)
        require_staff(principal, shift.hub_id)
        docs, cursor = await find_page(
            db[SIGNUPS],
            {"shift_id": shift_id, "status": status},
            sort=[("queued_at", 1)],
            limit=page.limit,
            cursor=page.cursor,
        )
        ids = [d["volunteer_id"] for d in docs]
        names = {v["_id"]: v["name"] async for v in db[VOLUNTEERS].find({"_id": {"$in": ids}}, {"name": 1})}
        items = [RosterEntry(**from_doc(Signup, d).model_dump(), name=names.get(d["volunteer_id"], "")) for d in docs]
        return Page[RosterEntry](items=items, next_cursor=cursor)

    @router.post(
        "/shifts/{shift_id}/signups/{volunteer_id}/cancel",
        tags=["sign-ups"],
        summary="Cancel a sign-up; the first on the waitlist is promoted",
    )
    async def cancel_signup(shift_id: str, volunteer_id: str, principal: Me) -> Signup:
        return await service.cancel_signup(principal, shift_id, volunteer_id)

    @router.post("/shifts/{shift_id}/signups/{volunteer_id}/check-in", tags=["attendance"], summary="Check in")
    async def check_in(shift_id: str, volunteer_id: str, principal: Me, body: cmd.Attendance | None = None) -> Signup:
        return await service.check_in(principal, shift_id, volunteer_id, body or cmd.Attendance())

    @router.post(
        "/shifts/{shift_id}/signups/{volunteer_id}/check-out",
        tags=["attendance"],
        summary="Check out: the attended time is logged as hours awaiting approval",
    )
    async def check_out(shift_id: str, volunteer_id: str, principal: Me, body: cmd.Attendance | None = None) -> Signup:
        return await service.check_out(principal, shift_id, volunteer_id, body or cmd.Attendance())

    @router.get(
        "/shifts/{shift_id}/matches",
        tags=["matching"],
        summary="Staff: eligible volunteers for a shift, best match first, each score explained",
    )
    async def matches(shift_id: str, principal: Me, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[MatchView]:
        return [MatchView(**m) for m in await service.match_volunteers(principal, shift_id, limit)]

    # -- hours approval ---------------------------------------------------------------------------

    @router.get("/hours", tags=["hours"], summary="Staff: a hub's hours by status (the approval queue)")
    async def hours_queue(
        principal: Me,
        page: Annotated[PageQuery, Depends()],
        hub_id: HubQuery,
        status: HoursStatus = "pending",
    ) -> Page[HoursEntry]:
        require_staff(principal, hub_id)
        docs, cursor = await find_page(
            db[HOURS],
            {"hub_id": hub_id, "status": status},
            sort=[("created_at", 1)],
            limit=page.limit,
            cursor=page.cursor,
        )
        return Page[HoursEntry](items=[from_doc(HoursEntry, d) for d in docs], next_cursor=cursor)

    @router.post("/hours/{hours_id}/approve", tags=["hours"], summary="Staff: approve hours (may reach a milestone)")
    async def approve(hours_id: str, principal: Me) -> HoursEntry:
        return await service.approve_hours(principal, hours_id)

    @router.post("/hours/{hours_id}/reject", tags=["hours"], summary="Staff: reject hours")
    async def reject(hours_id: str, principal: Me, body: cmd.Decision | None = None) -> HoursEntry:
        return await service.reject_hours(principal, hours_id, body or cmd.Decision())

    @router.get(
        "/hubs/{hub_id}/hours/totals", tags=["hours"], summary="Staff: approved hours per role, volunteer or month"
    )
    async def hub_totals(
        hub_id: str,
        principal: Me,
        group_by: Literal["role", "volunteer", "month"] = "role",
        start: date | None = Query(default=None, alias="from"),
        end: date | None = Query(default=None, alias="to", description="exclusive"),
    ) -> dict[str, Any]:
        rows = await service.hub_totals(principal, hub_id, start, end, group_by)
        return {"hub_id": hub_id, "group_by": group_by, "rows": [TotalRow(**r) for r in rows]}

    return router

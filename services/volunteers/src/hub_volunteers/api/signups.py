"""Routes for sign-ups and attendance: sign up, the roster and waitlist, cancel, check in and out."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from hub_common.http import Caller, Idempotency, Paging
from hub_common.pagination import Page
from hub_volunteers.api.deps import Signups
from hub_volunteers.api.schemas import RosterEntry
from hub_volunteers.domain.shifts import Signup, SignupStatus
from hub_volunteers.service import commands as cmd

router = APIRouter(prefix="/v1")


@router.post(
    "/shifts/{shift_id}/signups",
    status_code=201,
    tags=["sign-ups"],
    summary="Sign up (yourself, or staff name a volunteer): confirmed while places remain, else waitlisted",
)
async def sign_up(
    shift_id: str, caller: Caller, signups: Signups, idempotency: Idempotency, body: cmd.SignUp | None = None
) -> Signup:
    return await signups.sign_up(caller, shift_id, body or cmd.SignUp(), idempotency)


@router.get("/shifts/{shift_id}/signups", tags=["sign-ups"], summary="Staff: roster or waitlist in queue order")
async def roster(
    shift_id: str, caller: Caller, page: Paging, signups: Signups, status: SignupStatus = "confirmed"
) -> Page[RosterEntry]:
    entries, cursor = await signups.roster(caller, shift_id, status, page)
    items = [RosterEntry(**signup.model_dump(), name=name) for signup, name in entries]
    return Page[RosterEntry](items=items, next_cursor=cursor)


@router.post(
    "/shifts/{shift_id}/signups/{volunteer_id}/cancel",
    tags=["sign-ups"],
    summary="Cancel a sign-up; the first on the waitlist is promoted",
)
async def cancel_signup(shift_id: str, volunteer_id: str, caller: Caller, signups: Signups) -> Signup:
    return await signups.cancel(caller, shift_id, volunteer_id)


@router.post("/shifts/{shift_id}/signups/{volunteer_id}/check-in", tags=["attendance"], summary="Check in")
async def check_in(
    shift_id: str, volunteer_id: str, caller: Caller, signups: Signups, body: cmd.Attendance | None = None
) -> Signup:
    return await signups.check_in(caller, shift_id, volunteer_id, body or cmd.Attendance())


@router.post(
    "/shifts/{shift_id}/signups/{volunteer_id}/check-out",
    tags=["attendance"],
    summary="Check out: the attended time is logged as hours awaiting approval",
)
async def check_out(
    shift_id: str, volunteer_id: str, caller: Caller, signups: Signups, body: cmd.Attendance | None = None
) -> Signup:
    return await signups.check_out(caller, shift_id, volunteer_id, body or cmd.Attendance())


@router.get(
    "/volunteers/{volunteer_id}/signups", tags=["volunteers"], summary="A volunteer's shift sign-ups, soonest first"
)
async def signups(
    volunteer_id: str, caller: Caller, page: Paging, signups: Signups, since: datetime | None = None
) -> Page[Signup]:
    items, cursor = await signups.of_volunteer(caller, volunteer_id, since, page)
    return Page[Signup](items=items, next_cursor=cursor)

"""iCalendar (RFC 5545) feed of a volunteer's shifts: by bearer token, or by a secret feed URL for calendar apps."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import Caller
from hub_volunteers.api.deps import Calendars

router = APIRouter(prefix="/v1", tags=["calendar"])
ICS = {200: {"content": {"text/calendar": {}}, "description": "an iCalendar feed"}}
ICS_TYPE = "text/calendar; charset=utf-8"


@router.get("/volunteers/{volunteer_id}/shifts.ics", summary="A volunteer's shifts as iCalendar", responses=ICS)
async def by_bearer(volunteer_id: str, caller: Caller, calendars: Calendars) -> Response:
    return Response(await calendars.feed(caller, volunteer_id), media_type=ICS_TYPE)


@router.get(
    "/calendars/{token}.ics",
    summary="Subscribe from a calendar app: the secret feed URL from your volunteer record",
    responses=ICS,
)
async def by_token(token: str, calendars: Calendars) -> Response:
    return Response(await calendars.feed_by_token(token), media_type=ICS_TYPE)

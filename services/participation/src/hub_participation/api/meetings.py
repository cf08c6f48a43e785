"""``/v1/meetings`` and ``/v1/hubs/{hub_id}/meetings``: schedule a forum meeting (the hub's staff), read
a hub's meetings and their iCalendar feed (anyone), call one off."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import Idempotency, IfMatch, Paging, set_etag
from hub_common.pagination import Page
from hub_participation.api.deps import Editor, Meetings
from hub_participation.api.meeting_schemas import CancelIn, MeetingOut, ScheduleIn, meeting_view
from hub_participation.domain.meeting import AgendaItem
from hub_participation.service.meetings import ScheduleRequest

router = APIRouter(tags=["meetings"])
ICS = {200: {"content": {"text/calendar": {}}, "description": "an iCalendar feed"}}
ICS_TYPE = "text/calendar; charset=utf-8"


@router.post("/v1/meetings", status_code=201, summary="Schedule a resident forum meeting (the hub's staff)")
async def schedule(
    body: ScheduleIn, response: Response, caller: Editor, meetings: Meetings, idempotency: Idempotency
) -> MeetingOut:
    request = ScheduleRequest(
        hub_id=body.hub_id,
        title=body.title.strip(),
        description=body.description.strip(),
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        place=body.place.place(),
        capacity=body.capacity,
        waitlist=body.waitlist,
        top_ideas=body.top_ideas,
        top_priorities=body.top_priorities,
        staff_items=[AgendaItem(title=i.title.strip(), kind="staff", note=i.note) for i in body.staff_items],
    )
    meeting = await meetings.schedule(caller, request, idempotency)
    set_etag(response, meeting.version)
    response.headers["Location"] = f"/v1/meetings/{meeting.id}"
    return meeting_view(meeting)


@router.get("/v1/meetings/{meeting_id}", summary="One forum meeting: agenda, places, room, minutes and actions")
async def get_meeting(meeting_id: str, response: Response, meetings: Meetings) -> MeetingOut:
    meeting = await meetings.get(meeting_id)
    set_etag(response, meeting.version)
    return meeting_view(meeting)


@router.post(
    "/v1/meetings/{meeting_id}/cancel", summary="Call a meeting off (the hub's staff; everyone registered is told)"
)
async def cancel_meeting(
    meeting_id: str, body: CancelIn, response: Response, caller: Editor, expected: IfMatch, meetings: Meetings
) -> MeetingOut:
    meeting = await meetings.cancel(caller, meeting_id, body.reason, expected)
    set_etag(response, meeting.version)
    return meeting_view(meeting)


@router.get("/v1/hubs/{hub_id}/meetings", summary="A hub's forum meetings: upcoming (soonest first) or past")
async def list_meetings(hub_id: str, paging: Paging, meetings: Meetings, upcoming: bool = True) -> Page[MeetingOut]:
    found, cursor = await meetings.in_hub(hub_id, upcoming, paging)
    return Page[MeetingOut](items=[meeting_view(m) for m in found], next_cursor=cursor)


@router.get("/v1/hubs/{hub_id}/meetings.ics", summary="A hub's forum meetings as iCalendar (public)", responses=ICS)
async def calendar(hub_id: str, meetings: Meetings) -> Response:
    return Response(await meetings.calendar(hub_id), media_type=ICS_TYPE)

"""``/v1/meetings/{meeting_id}/minutes`` and its actions: the hub's staff publish the minutes with the
actions agreed, and mark each action done."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import IfMatch, set_etag
from hub_participation.api.deps import Editor, Minutes
from hub_participation.api.meeting_schemas import CompleteIn, MeetingOut, MinutesIn, meeting_view
from hub_participation.service.minutes import ActionRequest

router = APIRouter(prefix="/v1/meetings/{meeting_id}", tags=["minutes"])


@router.post("/minutes", summary="Publish a meeting's minutes and the actions agreed (the hub's staff; once)")
async def publish_minutes(
    meeting_id: str, body: MinutesIn, response: Response, caller: Editor, expected: IfMatch, minutes: Minutes
) -> MeetingOut:
    actions = [ActionRequest(title=a.title.strip(), owner=a.owner.strip(), due_on=a.due_on) for a in body.actions]
    meeting = await minutes.publish(caller, meeting_id, body.minutes.strip(), actions, expected)
    set_etag(response, meeting.version)
    return meeting_view(meeting)


@router.post("/actions/{action_id}/complete", summary="Mark an action done, saying what was done (the hub's staff)")
async def complete_action(
    meeting_id: str,
    action_id: str,
    body: CompleteIn,
    response: Response,
    caller: Editor,
    expected: IfMatch,
    minutes: Minutes,
) -> MeetingOut:
    meeting = await minutes.complete_action(caller, meeting_id, action_id, body.note.strip(), expected)
    set_etag(response, meeting.version)
    return meeting_view(meeting)

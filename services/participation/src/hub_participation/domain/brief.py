"""A ward councillor's brief of their hub: what waits for the hub's answer, what residents back most,
the forums to come and the actions forums agreed that are not done yet. Pure: the service layer reads
the ideas and meetings and this puts them in the brief's order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hub_participation.domain.idea import Idea
from hub_participation.domain.meeting import ForumAction, Meeting


@dataclass(frozen=True)
class OpenAction:
    """A forum action not done yet, with the meeting that agreed it."""

    meeting_id: str
    meeting_title: str
    meeting_starts_at: datetime
    action: ForumAction
    overdue: bool


@dataclass(frozen=True)
class CouncillorBrief:
    hub_id: str
    awaiting_response: list[Idea]  # past their threshold, not answered yet: longest waiting first
    most_supported: list[Idea]  # still gathering support, most supported first
    upcoming_meetings: list[Meeting]  # soonest first, called-off ones left out
    open_actions: list[OpenAction]  # soonest due first
    generated_at: datetime


def open_actions(meetings: list[Meeting], today: date) -> list[OpenAction]:
    """Every action of these meetings still open, soonest due first (then the meeting, then the title)."""
    found = [
        OpenAction(meeting.id, meeting.title, meeting.starts_at, action, overdue=action.due_on < today)
        for meeting in meetings
        for action in meeting.actions
        if action.status == "open"
    ]
    return sorted(found, key=lambda a: (a.action.due_on, a.meeting_starts_at, a.action.title, a.action.id))


def compose_brief(
    hub_id: str,
    *,
    awaiting: list[Idea],
    most_supported: list[Idea],
    upcoming: list[Meeting],
    with_open_actions: list[Meeting],
    now: datetime,
) -> CouncillorBrief:
    return CouncillorBrief(
        hub_id=hub_id,
        awaiting_response=[i for i in awaiting if i.hidden is None and i.status == "for_response"],
        most_supported=[i for i in most_supported if i.hidden is None and i.status == "open"],
        upcoming_meetings=[m for m in upcoming if m.status != "cancelled"],
        open_actions=open_actions(with_open_actions, now.date()),
        generated_at=now,
    )

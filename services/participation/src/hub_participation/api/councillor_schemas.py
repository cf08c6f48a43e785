"""The councillor's brief of a hub, as the API answers it (public facts only: no resident in it)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from hub_participation.api.meeting_schemas import PlaceOut, place_view
from hub_participation.domain.brief import CouncillorBrief
from hub_participation.domain.idea import Idea, IdeaStatus
from hub_participation.domain.meeting import Meeting


class BriefIdeaOut(BaseModel):
    id: str
    title: str
    status: IdeaStatus
    support_count: int
    support_threshold: int
    proposed_at: datetime
    threshold_reached_at: datetime | None
    councillor_comments: int = Field(description="how many councillors' comments it has")


class BriefMeetingOut(BaseModel):
    id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: PlaceOut
    registered: int
    places_left: int


class BriefActionOut(BaseModel):
    meeting_id: str
    meeting_title: str
    meeting_starts_at: datetime
    action_id: str
    title: str
    owner: str
    due_on: date
    overdue: bool


class CouncillorBriefOut(BaseModel):
    hub_id: str
    awaiting_response: list[BriefIdeaOut] = Field(description="past their threshold, waiting for the hub's answer")
    most_supported: list[BriefIdeaOut] = Field(description="ideas still gathering support, most supported first")
    upcoming_meetings: list[BriefMeetingOut]
    open_actions: list[BriefActionOut] = Field(description="forum actions not done yet, soonest due first")
    generated_at: datetime


def _idea(idea: Idea) -> BriefIdeaOut:
    return BriefIdeaOut(
        id=idea.id,
        title=idea.wording.title,
        status=idea.status,
        support_count=idea.support_count,
        support_threshold=idea.support_threshold,
        proposed_at=idea.proposed_at,
        threshold_reached_at=idea.threshold_reached_at,
        councillor_comments=len(idea.councillor_comments),
    )


def _meeting(meeting: Meeting) -> BriefMeetingOut:
    return BriefMeetingOut(
        id=meeting.id,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place=place_view(meeting.place),
        registered=meeting.registered_count,
        places_left=meeting.places_left,
    )


def brief_view(brief: CouncillorBrief) -> CouncillorBriefOut:
    return CouncillorBriefOut(
        hub_id=brief.hub_id,
        awaiting_response=[_idea(i) for i in brief.awaiting_response],
        most_supported=[_idea(i) for i in brief.most_supported],
        upcoming_meetings=[_meeting(m) for m in brief.upcoming_meetings],
        open_actions=[
            BriefActionOut(
                meeting_id=a.meeting_id,
                meeting_title=a.meeting_title,
                meeting_starts_at=a.meeting_starts_at,
                action_id=a.action.id,
                title=a.action.title,
                owner=a.action.owner,
                due_on=a.action.due_on,
                overdue=a.overdue,
            )
            for a in brief.open_actions
        ],
        generated_at=brief.generated_at,
    )

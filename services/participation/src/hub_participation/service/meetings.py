"""Forum meetings: staff schedule one (its agenda drawn from the hub's most supported ideas, then its
most supported open issues, then their own items; its room asked of the assets service by event),
call it off, and follow the room's answer; anyone reads a hub's meetings and their iCalendar feed
(no personal data in either)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.assets import RoomBookingAnswered
from hub_common.contracts.participation import (
    MeetingCancelled,
    MeetingRoomChanged,
    MeetingScheduled,
    RoomBookingReleased,
    RoomBookingRequested,
)
from hub_common.http import PageQuery
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_participation.adapters.ideas import IdeaRepository
from hub_participation.adapters.meetings import MeetingRepository
from hub_participation.domain.meeting import AgendaItem, Meeting, Place
from hub_participation.service.hubs import HubService
from hub_participation.service.priorities import PriorityService

SERVICE = "participation"  # how the assets service names us in its answers (requested_by)
CALENDAR_HISTORY = timedelta(days=90)  # how far back a hub's forum calendar goes
MAX_IDEAS_ON_AGENDA = 10
MAX_PRIORITIES_ON_AGENDA = 10


def facts(meeting: Meeting) -> dict:
    """What every message about the meeting says: what, when, where (all public)."""
    return {
        "meeting_id": meeting.id,
        "hub_id": meeting.hub_id,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place.name,
        "online_url": meeting.place.online_url,
    }


@dataclass(frozen=True)
class ScheduleRequest:
    hub_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: Place
    capacity: int
    waitlist: bool
    description: str = ""
    top_ideas: int = 3  # the hub's most supported ideas still open, at the head of the agenda
    top_priorities: int = 3  # then the hub's most supported open issues (the issues service's priorities)
    staff_items: list[AgendaItem] = field(default_factory=list)


class MeetingService:
    def __init__(
        self,
        uow: UnitOfWork,
        meetings: MeetingRepository,
        ideas: IdeaRepository,
        priorities: PriorityService,
        hubs: HubService,
        *,
        clock: Clock,
    ) -> None:
        self.uow = uow
        self.meetings = meetings
        self.ideas = ideas
        self.priorities = priorities
        self.hubs = hubs
        self.clock = clock

    async def schedule(
        self,
        caller: Principal,
        request: ScheduleRequest,
        idempotency: IdempotentRequest | None = None,
        *,
        meeting_id: str | None = None,  # demo data only: a known id, so a restart adds nothing twice
    ) -> Meeting:
        """Staff of the hub schedule a forum; a room is asked of the assets service in the same unit
        of work (the meeting shows the room ``requested`` until assets answers)."""
        caller.require_staff_for(request.hub_id)
        await self.hubs.get(request.hub_id)  # 404 for a hub the service does not know
        agenda = [
            *await self._ideas_agenda(request.hub_id, request.top_ideas),
            *await self._priorities_agenda(request.hub_id, request.top_priorities),
            *request.staff_items,
        ]
        now = self.clock()
        meeting = Meeting.new(
            meeting_id or f"meeting-{uuid.uuid4().hex[:12]}",
            request.hub_id,
            title=request.title,
            description=request.description,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            place=request.place,
            capacity=request.capacity,
            waitlist=request.waitlist,
            agenda=agenda,
            by=caller.sub,
            at=now,
        )

        async def work(tx: Transaction) -> Meeting:
            await self.meetings.add(meeting, tx.session)
            where = {"subject": meeting.id, "hub_id": meeting.hub_id}
            tx.publish(
                MeetingScheduled(
                    **facts(meeting),
                    place_kind=meeting.place.kind,
                    room_id=meeting.place.room_id,
                    capacity=meeting.capacity,
                    waitlist=meeting.waitlist,
                    agenda=[item.title for item in meeting.agenda],
                    scheduled_at=now,
                ),
                **where,
            )
            if meeting.place.kind == "room" and meeting.place.room_id:
                tx.publish(
                    RoomBookingRequested(
                        request_id=meeting.id,
                        hub_id=meeting.hub_id,
                        room_id=meeting.place.room_id,
                        starts_at=meeting.starts_at,
                        ends_at=meeting.ends_at,
                        purpose=f"Resident forum: {meeting.title}"[:500],
                        attendees=meeting.capacity,
                        requested_by=caller.sub,
                        requested_at=now,
                    ),
                    **where,
                )
            return meeting

        return await self.uow.run(work, idempotency=idempotency, result_type=Meeting)

    async def _ideas_agenda(self, hub_id: str, top: int) -> list[AgendaItem]:
        ideas = await self.ideas.most_supported_open(hub_id, min(top, MAX_IDEAS_ON_AGENDA))
        return [
            AgendaItem(title=idea.wording.title, kind="idea", idea_id=idea.id, support_count=idea.support_count)
            for idea in ideas
        ]

    async def _priorities_agenda(self, hub_id: str, top: int) -> list[AgendaItem]:
        issues = await self.priorities.top(hub_id, min(top, MAX_PRIORITIES_ON_AGENDA))
        return [
            AgendaItem(
                title=f"Reported problem: {issue.service_name}",
                kind="priority",
                issue_id=issue.id,
                support_count=issue.support_count,
            )
            for issue in issues
        ]

    async def cancel(self, caller: Principal, meeting_id: str, reason: str, expected: int | None) -> Meeting:
        """Staff call the meeting off; everyone registered or waiting is told (and their reminders go),
        and the room booked for it goes back to the assets service for others to book."""

        async def work(tx: Transaction) -> Meeting:
            meeting = await self.meetings.get(meeting_id, tx.session)
            caller.require_staff_for(meeting.hub_id)
            check_version(expected, meeting.version)
            cancelled = meeting.called_off(reason, self.clock())
            await self.meetings.save_if_version(cancelled, meeting.version, tx.session)
            tx.publish(
                MeetingCancelled(
                    **facts(meeting),
                    reason=reason,
                    registrant_ids=meeting.registrant_ids(),
                    cancelled_at=cancelled.updated_at,
                ),
                subject=meeting.id,
                hub_id=meeting.hub_id,
            )
            if meeting.holds_a_room():
                assert meeting.place.room_id is not None
                tx.publish(
                    RoomBookingReleased(
                        request_id=meeting.id,
                        hub_id=meeting.hub_id,
                        room_id=meeting.place.room_id,
                        reason=f"The forum meeting was called off: {reason}"[:500],
                        released_by=caller.sub,
                        released_at=cancelled.updated_at,
                    ),
                    subject=meeting.id,  # the request's key: the release follows it on its partition
                    hub_id=meeting.hub_id,
                )
            return cancelled

        return await self.uow.run(work)

    async def room_answered(self, answer: RoomBookingAnswered, tx: Transaction) -> None:
        """The assets service's answer about a meeting's room (in the consumer's transaction); an
        answer to another service's request, or about a meeting we do not hold, changes nothing."""
        if answer.requested_by != SERVICE:
            return
        meeting = await self.meetings.find(answer.request_id, tx.session)
        if meeting is None:
            return
        changed = meeting.room_answered(answer.status, answer.booking_id, answer.reason, self.clock())
        if changed is None:
            return
        await self.meetings.save_if_version(changed, meeting.version, tx.session)
        assert changed.place.room_status is not None and changed.place.room_id is not None
        tx.publish(
            MeetingRoomChanged(
                meeting_id=meeting.id,
                hub_id=meeting.hub_id,
                room_id=changed.place.room_id,
                room_status=changed.place.room_status,
                reason=answer.reason,
                changed_at=changed.updated_at,
            ),
            subject=meeting.id,
            hub_id=meeting.hub_id,
        )

    # -- reading ---------------------------------------------------------------------------------

    async def get(self, meeting_id: str) -> Meeting:
        return await self.meetings.get(meeting_id)

    async def in_hub(self, hub_id: str, upcoming: bool, paging: PageQuery) -> tuple[list[Meeting], str | None]:
        await self.hubs.get(hub_id)
        return await self.meetings.in_hub(hub_id, upcoming=upcoming, now=self.clock(), paging=paging)

    async def calendar(self, hub_id: str) -> bytes:
        """The hub's forum meetings from three months ago on, as iCalendar (RFC 5545): public, with
        no registrant in it."""
        await self.hubs.get(hub_id)
        meetings = await self.meetings.since(hub_id, self.clock() - CALENDAR_HISTORY)
        cal = Calendar()
        cal.add("prodid", "-//Community Hub//participation//EN")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", f"Resident forums ({hub_id})")
        for meeting in meetings:
            cal.add_component(_event(meeting))
        return cal.to_ical()


def _event(meeting: Meeting) -> Event:
    event = Event()
    event.add("uid", f"{meeting.id}@participation.hub")
    event.add("dtstamp", meeting.updated_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("location", meeting.place.online_url or meeting.place.name)
    agenda = "\n".join(f"- {item.title}{_backing(item)}" for item in meeting.agenda)
    event.add("description", "\n\n".join(p for p in (meeting.description, agenda and f"Agenda:\n{agenda}") if p))
    if meeting.place.online_url:
        event.add("url", meeting.place.online_url)
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    return event


def _backing(item: AgendaItem) -> str:
    """How many back a resident's idea or a reported problem, as the calendar tells it."""
    if item.kind == "staff" or item.support_count is None:
        return ""
    noun = "supporter" if item.support_count == 1 else "supporters"
    return f" ({item.support_count} {noun})"

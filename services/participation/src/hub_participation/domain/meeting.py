"""The forum meeting aggregate: a hub's resident forum, its agenda, registrations, minutes and actions.

A meeting is ``scheduled`` until its staff publish the minutes (``held``) or call it off
(``cancelled``). Its place is a room of the assets service (booked by event: the room is
``requested`` until assets answers ``confirmed``, ``awaiting_approval``, ``declined`` or
``cancelled``) or online. Residents register once each: a place while there is one, else the
waitlist where the meeting keeps one (else 409); a cancelled place goes to the first on the waitlist.
Minutes come with actions (an owner and a due date each), each tracked to done. Every change returns
a new :class:`Meeting` with its next ``version``; the service layer stores it and raises the events.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from hub_common.errors import Conflict, RuleViolation

MeetingStatus = Literal["scheduled", "held", "cancelled"]
RoomStatus = Literal["requested", "awaiting_approval", "confirmed", "declined", "cancelled"]
RegistrationStatus = Literal["registered", "waitlisted", "cancelled"]
ActionStatus = Literal["open", "done"]
ACTIVE: frozenset[str] = frozenset({"registered", "waitlisted"})
# What the assets service's booking status means for the meeting's room.
ROOM_STATUS: dict[str, RoomStatus] = {
    "requested": "awaiting_approval",  # the room needs its keeper's decision
    "confirmed": "confirmed",
    "declined": "declined",
    "cancelled": "cancelled",
}


class Place(BaseModel):
    """Where the meeting is: a room (booked through the assets service) or online."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["room", "online"]
    name: str  # what residents are told, e.g. "Main Hall, Northfield Community Centre" or "Online"
    room_id: str | None = None
    online_url: str | None = None
    room_status: RoomStatus | None = None
    booking_id: str | None = None
    room_note: str | None = None  # why the room was declined or cancelled


class AgendaItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str
    kind: Literal["idea", "priority", "staff"]
    idea_id: str | None = None  # the idea it comes from (its support count when the agenda was drawn)
    issue_id: str | None = None  # the open issue (a priority) it comes from, with its support count
    support_count: int | None = None
    note: str | None = None


class Registration(BaseModel):
    """A resident's place (or place on the waitlist). ``access_needs`` is personal data: never public."""

    model_config = ConfigDict(frozen=True)

    id: str
    person_id: str | None  # opaque; None once the person is erased
    status: RegistrationStatus
    access_needs: str | None = None
    registered_at: datetime
    updated_at: datetime


class ForumAction(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    owner: str  # the team or role that will do it (public)
    due_on: date
    status: ActionStatus = "open"
    done_note: str | None = None
    done_by: str | None = None
    done_at: datetime | None = None


class Minutes(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    by: str | None
    at: datetime


class Meeting(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    hub_id: str
    title: str
    description: str = ""
    starts_at: datetime
    ends_at: datetime
    place: Place
    capacity: int
    waitlist: bool
    agenda: list[AgendaItem] = []
    registrations: list[Registration] = []
    status: MeetingStatus = "scheduled"
    cancel_reason: str | None = None
    minutes: Minutes | None = None
    actions: list[ForumAction] = []
    scheduled_by: str | None  # opaque staff id
    scheduled_at: datetime
    updated_at: datetime
    version: int = 1

    @staticmethod
    def new(
        meeting_id: str,
        hub_id: str,
        *,
        title: str,
        description: str,
        starts_at: datetime,
        ends_at: datetime,
        place: Place,
        capacity: int,
        waitlist: bool,
        agenda: list[AgendaItem],
        by: str,
        at: datetime,
    ) -> Meeting:
        if ends_at <= starts_at:
            raise RuleViolation("the meeting must end after it starts", errors=[_err("ends_at", "after starts_at")])
        if starts_at <= at:
            raise RuleViolation("a meeting is scheduled ahead", errors=[_err("starts_at", "in the future")])
        if place.kind == "room" and not place.room_id:
            raise RuleViolation("a meeting in a room names the room", errors=[_err("room_id", "give the room")])
        if place.kind == "online" and not place.online_url:
            raise RuleViolation("an online meeting has a link", errors=[_err("online_url", "give the link")])
        if place.kind == "room":
            place = place.model_copy(update={"room_status": "requested"})
        return Meeting(
            id=meeting_id,
            hub_id=hub_id,
            title=title,
            description=description,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            capacity=capacity,
            waitlist=waitlist,
            agenda=agenda,
            scheduled_by=by,
            scheduled_at=at,
            updated_at=at,
        )

    def _changed(self, at: datetime, **update: Any) -> Meeting:
        return self.model_copy(update={**update, "updated_at": at, "version": self.version + 1})

    # -- reading ---------------------------------------------------------------------------------

    @property
    def registered_count(self) -> int:
        return sum(r.status == "registered" for r in self.registrations)

    @property
    def waitlisted(self) -> list[Registration]:
        """Those waiting for a place, first come first."""
        return sorted((r for r in self.registrations if r.status == "waitlisted"), key=lambda r: r.registered_at)

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.registered_count)

    def registration_of(self, person_id: str) -> Registration | None:
        return next((r for r in self.registrations if r.person_id == person_id), None)

    def waitlist_position(self, registration_id: str) -> int | None:
        for n, r in enumerate(self.waitlisted, start=1):
            if r.id == registration_id:
                return n
        return None

    def registrant_ids(self) -> list[str]:
        """Everyone with a place or waiting for one (the people a change of the meeting concerns)."""
        return [r.person_id for r in self.registrations if r.status in ACTIVE and r.person_id]

    def attendee_ids(self) -> list[str]:
        return [r.person_id for r in self.registrations if r.status == "registered" and r.person_id]

    # -- registration ----------------------------------------------------------------------------

    def _require_open_for_registration(self, at: datetime) -> None:
        if self.status == "cancelled":
            raise Conflict(f"meeting {self.id} was called off")
        if self.status != "scheduled" or at >= self.starts_at:
            raise Conflict(f"meeting {self.id} has started or taken place: it takes no more registrations")

    def registered(
        self, person_id: str, registration_id: str, access_needs: str | None, at: datetime
    ) -> tuple[Meeting, Registration] | None:
        """The meeting with this person's place, or their place on the waitlist; None when they hold
        one already (one each, however often they ask). 409 when it is full and keeps no waitlist."""
        current = self.registration_of(person_id)
        if current is not None and current.status in ACTIVE:
            return None
        self._require_open_for_registration(at)
        if self.places_left > 0:
            status: RegistrationStatus = "registered"
        elif self.waitlist:
            status = "waitlisted"
        else:
            raise Conflict(f"meeting {self.id} is full ({self.capacity} places) and keeps no waitlist")
        if current is not None:  # they cancelled before and come back: the same registration, at the back
            registration = current.model_copy(
                update={"status": status, "access_needs": access_needs, "registered_at": at, "updated_at": at}
            )
            others = [r for r in self.registrations if r.id != current.id]
        else:
            registration = Registration(
                id=registration_id,
                person_id=person_id,
                status=status,
                access_needs=access_needs,
                registered_at=at,
                updated_at=at,
            )
            others = list(self.registrations)
        return self._changed(at, registrations=[*others, registration]), registration

    def cancelled_registration(
        self, person_id: str, at: datetime
    ) -> tuple[Meeting, Registration, Registration | None] | None:
        """The meeting without this person's place, and whom it went to (the first waiting); None
        when they hold none."""
        current = self.registration_of(person_id)
        if current is None or current.status not in ACTIVE:
            return None
        if self.status != "scheduled":
            raise Conflict(f"meeting {self.id} is {self.status}: registrations no longer change")
        cancelled = current.model_copy(update={"status": "cancelled", "updated_at": at})
        promoted = None
        if current.status == "registered" and self.waitlisted:
            promoted = self.waitlisted[0].model_copy(update={"status": "registered", "updated_at": at})
        changed = {cancelled.id: cancelled} | ({promoted.id: promoted} if promoted else {})
        registrations = [changed.get(r.id, r) for r in self.registrations]
        return self._changed(at, registrations=registrations), cancelled, promoted

    # -- staff -----------------------------------------------------------------------------------

    def holds_a_room(self) -> bool:
        """A room was asked for and not refused or given up: the assets service may hold a booking."""
        return self.place.kind == "room" and self.place.room_status in ("requested", "awaiting_approval", "confirmed")

    def called_off(self, reason: str, at: datetime) -> Meeting:
        if self.status != "scheduled":
            raise Conflict(f"meeting {self.id} is {self.status} already")
        return self._changed(at, status="cancelled", cancel_reason=reason)

    def room_answered(
        self, booking_status: str, booking_id: str | None, reason: str | None, at: datetime
    ) -> Meeting | None:
        """What the assets service answered about the room; None when it changes nothing (a repeat,
        or a meeting not in a room)."""
        if self.place.kind != "room":
            return None
        room_status = ROOM_STATUS.get(booking_status)
        if room_status is None or (room_status, booking_id) == (self.place.room_status, self.place.booking_id):
            return None
        place = self.place.model_copy(
            update={"room_status": room_status, "booking_id": booking_id or self.place.booking_id, "room_note": reason}
        )
        return self._changed(at, place=place)

    def with_minutes(self, text: str, actions: list[ForumAction], *, by: str, at: datetime) -> Meeting:
        """The minutes and the actions agreed, once the meeting has started (once: minutes are the record)."""
        if self.status == "cancelled":
            raise Conflict(f"meeting {self.id} was called off: it has no minutes")
        if self.minutes is not None:
            raise Conflict(f"the minutes of meeting {self.id} are published already")
        if at < self.starts_at:
            raise Conflict(f"meeting {self.id} has not started yet: minutes come after it")
        return self._changed(at, status="held", minutes=Minutes(text=text, by=by, at=at), actions=actions)

    def action_done(self, action_id: str, note: str, *, by: str, at: datetime) -> tuple[Meeting, ForumAction]:
        action = next((a for a in self.actions if a.id == action_id), None)
        if action is None:
            raise Conflict(f"meeting {self.id} has no action {action_id!r}")
        if action.status == "done":
            raise Conflict(f"action {action_id} is done already")
        done = action.model_copy(update={"status": "done", "done_note": note, "done_by": by, "done_at": at})
        actions = [done if a.id == action_id else a for a in self.actions]
        return self._changed(at, actions=actions), done

    # -- erasure ---------------------------------------------------------------------------------

    def forgetting(self, person_id: str) -> Meeting:
        """Nothing here links the meeting to this person: their registration stays as an anonymous
        place (the counts stay right) without what they said about their access needs; as staff,
        their id goes from what they did. The version stays: nobody's public view changes."""
        update: dict[str, Any] = {}
        if any(r.person_id == person_id for r in self.registrations):
            update["registrations"] = [
                r.model_copy(update={"person_id": None, "access_needs": None}) if r.person_id == person_id else r
                for r in self.registrations
            ]
        if self.scheduled_by == person_id:
            update["scheduled_by"] = None
        if self.minutes is not None and self.minutes.by == person_id:
            update["minutes"] = self.minutes.model_copy(update={"by": None})
        if any(a.done_by == person_id for a in self.actions):
            update["actions"] = [
                a.model_copy(update={"done_by": None}) if a.done_by == person_id else a for a in self.actions
            ]
        return self.model_copy(update=update) if update else self

    def involves(self, person_id: str) -> bool:
        return self.forgetting(person_id) is not self


def _err(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}

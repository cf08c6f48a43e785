"""Request and response schemas of the forum meeting routes, and the public view of a meeting (no
registrant and no access needs in it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, HttpUrl, model_validator

from hub_participation.api.schemas import HUB_ID, ContactIn, Strict
from hub_participation.domain.meeting import (
    ActionStatus,
    AgendaItem,
    Meeting,
    MeetingStatus,
    Place,
    RegistrationStatus,
    RoomStatus,
)

ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


class PlaceIn(Strict):
    kind: Literal["room", "online"]
    name: str | None = Field(
        default=None, min_length=1, max_length=300, description="what residents are told, e.g. the room and address"
    )
    room_id: str | None = Field(default=None, pattern=ID, description="the assets service's room (kind room)")
    online_url: HttpUrl | None = Field(default=None, description="the link to join (kind online)")

    @model_validator(mode="after")
    def _one_place(self) -> PlaceIn:
        if self.kind == "room" and (self.room_id is None or self.online_url is not None):
            raise ValueError("a meeting in a room gives room_id (and no online_url)")
        if self.kind == "online" and (self.online_url is None or self.room_id is not None):
            raise ValueError("an online meeting gives online_url (and no room_id)")
        if self.kind == "room" and self.name is None:
            raise ValueError("a meeting in a room gives the name residents know it by")
        return self

    def place(self) -> Place:
        return Place(
            kind=self.kind,
            name=(self.name or "Online").strip(),
            room_id=self.room_id,
            online_url=str(self.online_url) if self.online_url else None,
        )


class StaffItemIn(Strict):
    title: str = Field(min_length=3, max_length=120)
    note: str | None = Field(default=None, max_length=1000)


class ScheduleIn(Strict):
    hub_id: str = Field(pattern=HUB_ID)
    title: str = Field(min_length=5, max_length=120)
    description: str = Field(default="", max_length=4000)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: PlaceIn
    capacity: int = Field(ge=1, le=2000)
    waitlist: bool = Field(default=True, description="take names once full, and give freed places in order")
    top_ideas: int = Field(default=3, ge=0, le=10, description="the hub's most supported open ideas on the agenda")
    top_priorities: int = Field(
        default=3, ge=0, le=10, description="then the hub's most supported open issues (its priorities)"
    )
    staff_items: list[StaffItemIn] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _ends_after_start(self) -> ScheduleIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class CancelIn(Strict):
    reason: str = Field(min_length=3, max_length=500, description="told to everyone registered")


class RegisterIn(Strict):
    access_needs: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="anything the hub should arrange for you (seen by its staff only, never shown)",
    )
    contact: ContactIn | None = Field(default=None, description="where to send your invitation and reminder")


class ActionIn(Strict):
    title: str = Field(min_length=3, max_length=200)
    owner: str = Field(min_length=2, max_length=120, description="the team or role that will do it")
    due_on: date


class MinutesIn(Strict):
    minutes: str = Field(min_length=10, max_length=20_000)
    actions: list[ActionIn] = Field(default_factory=list, max_length=50)


class CompleteIn(Strict):
    note: str = Field(min_length=3, max_length=4000, description="what was done (public)")


class PlaceOut(BaseModel):
    kind: Literal["room", "online"]
    name: str
    room_id: str | None
    online_url: str | None
    room_status: RoomStatus | None = Field(description="the assets service's answer about the room")
    room_note: str | None


class ActionOut(BaseModel):
    id: str
    title: str
    owner: str
    due_on: date
    status: ActionStatus
    done_note: str | None
    done_at: datetime | None


class MinutesOut(BaseModel):
    text: str
    published_at: datetime


class MeetingOut(BaseModel):
    """A meeting as anyone sees it: counts of places, never who holds them."""

    id: str
    hub_id: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: PlaceOut
    capacity: int
    waitlist: bool
    registered: int
    waitlisted: int
    places_left: int
    agenda: list[AgendaItem]
    status: MeetingStatus
    cancel_reason: str | None
    minutes: MinutesOut | None
    actions: list[ActionOut]
    version: int


class RegistrationOut(BaseModel):
    meeting_id: str
    registration_id: str
    status: RegistrationStatus
    waitlist_position: int | None
    access_needs: str | None = Field(description="what you told the hub (only you and its staff see it)")
    new: bool = Field(description="false: you held this place already")


class AccessNeedsOut(BaseModel):
    meeting_id: str
    registered: int
    waitlisted: int
    needs: list[str] = Field(description="the access needs stated, without whose they are")


def place_view(place: Place) -> PlaceOut:
    return PlaceOut(
        kind=place.kind,
        name=place.name,
        room_id=place.room_id,
        online_url=place.online_url,
        room_status=place.room_status,
        room_note=place.room_note,
    )


def meeting_view(meeting: Meeting) -> MeetingOut:
    return MeetingOut(
        id=meeting.id,
        hub_id=meeting.hub_id,
        title=meeting.title,
        description=meeting.description,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place=place_view(meeting.place),
        capacity=meeting.capacity,
        waitlist=meeting.waitlist,
        registered=meeting.registered_count,
        waitlisted=len(meeting.waitlisted),
        places_left=meeting.places_left,
        agenda=meeting.agenda,
        status=meeting.status,
        cancel_reason=meeting.cancel_reason,
        minutes=MinutesOut(text=meeting.minutes.text, published_at=meeting.minutes.at) if meeting.minutes else None,
        actions=[
            ActionOut(
                id=a.id,
                title=a.title,
                owner=a.owner,
                due_on=a.due_on,
                status=a.status,
                done_note=a.done_note,
                done_at=a.done_at,
            )
            for a in meeting.actions
        ],
        version=meeting.version,
    )

"""Room and facility bookings: the booking rules, overlap detection and the booking lifecycle.

requested → confirmed | declined | cancelled;  confirmed → cancelled | completed.
Never two confirmed bookings of one room overlap: the service layer checks
:func:`first_overlap` inside the transaction that confirms, after taking the room's lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hub_assets.domain.assets import Blackout, BookingPolicy, OpeningHours
from hub_common.auth import STAFF_ROLES
from hub_common.contracts.assets import BookingStatus
from hub_common.errors import Conflict, Forbidden, RuleViolation

HUB_TIMEZONE = ZoneInfo("Europe/London")

TRANSITIONS: dict[str, set[str]] = {
    "requested": {"confirmed", "declined", "cancelled"},
    "confirmed": {"cancelled", "completed"},
    "declined": set(),
    "cancelled": set(),
    "completed": set(),
}
BLOCKING = ("confirmed",)  # statuses that hold the slot


class Booking(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    room_id: str
    hub_id: str
    booker_id: str
    booker_role: Literal["resident", "partner", "staff", "operator"]
    organisation_id: str | None = None
    purpose: str = Field(default="", max_length=500)
    attendees: int | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    status: BookingStatus
    reason: str | None = None
    series_id: str | None = None
    # A platform service's request this booking answers (e.g. a forum meeting's), and who asked.
    request_id: str | None = None
    requested_by: str | None = None
    version: int = 1
    created_at: datetime
    updated_at: datetime


class SeriesConflict(BaseModel):
    """An occurrence of a weekly series that was not booked, and why."""

    starts_at: str
    ends_at: str
    reasons: list[str]


class BookingSeries(BaseModel):
    """What booking a weekly series did: the bookings made and the occurrences not booked."""

    series_id: str
    booked: list[Booking]
    conflicts: list[SeriesConflict]


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals [start, end): back-to-back slots do not overlap."""
    return a_start < b_end and b_start < a_end


def first_overlap(starts_at: datetime, ends_at: datetime, others: Iterable[Any]) -> Any | None:
    """The first of ``others`` (anything with starts_at/ends_at) overlapping the slot, or None."""
    for other in others:
        if overlaps(starts_at, ends_at, other.starts_at, other.ends_at):
            return other
    return None


def booking_rule_errors(
    *,
    policy: BookingPolicy,
    opening_hours: list[OpeningHours],
    blackouts: list[Blackout],
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    role: str,
    attendees: int | None = None,
    capacity: int | None = None,
) -> list[dict[str, str]]:
    """Every rule the requested slot breaks (empty when it may be booked)."""
    errors: list[dict[str, str]] = []

    def fail(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    if role != "operator" and role not in policy.bookable_by:
        fail("role", f"this room can be booked by: {', '.join(policy.bookable_by)}")
    if ends_at <= starts_at:
        fail("ends_at", "the booking must end after it starts")
        return errors
    minutes = (ends_at - starts_at).total_seconds() / 60
    if minutes < policy.min_minutes:
        fail("ends_at", f"bookings are at least {policy.min_minutes} minutes")
    if minutes > policy.max_minutes:
        fail("ends_at", f"bookings are at most {policy.max_minutes} minutes")
    if starts_at < now + timedelta(minutes=policy.lead_time_minutes):
        fail("starts_at", f"book at least {policy.lead_time_minutes} minutes ahead")
    if starts_at > now + timedelta(days=policy.horizon_days):
        fail("starts_at", f"bookings are taken at most {policy.horizon_days} days ahead")
    if opening_hours and not within_opening_hours(opening_hours, starts_at, ends_at):
        fail("starts_at", "the room is not open for the whole of this slot")
    blackout = first_overlap(starts_at, ends_at, blackouts)
    if blackout is not None:
        fail("starts_at", f"the room is unavailable then ({blackout.reason or 'blackout period'})")
    if attendees is not None and capacity is not None and attendees > capacity:
        fail("attendees", f"the room holds at most {capacity} people")
    return errors


def check_booking_rules(**kwargs: Any) -> None:
    errors = booking_rule_errors(**kwargs)
    if errors:
        raise RuleViolation("this slot cannot be booked: " + "; ".join(e["message"] for e in errors), errors=errors)


def within_opening_hours(hours: list[OpeningHours], starts_at: datetime, ends_at: datetime) -> bool:
    """Whether the slot lies inside one opening window of one day (hub local time)."""
    start, end = starts_at.astimezone(HUB_TIMEZONE), ends_at.astimezone(HUB_TIMEZONE)
    if start.date() != end.date():
        return False
    for window in hours:
        if window.weekday == start.weekday() and window.opens <= start.time() and end.time() <= window.closes:
            return True
    return False


def initial_status(policy: BookingPolicy, role: str) -> BookingStatus:
    """Staff and operators confirm directly; others wait for approval where the room needs it."""
    if policy.requires_approval and role not in STAFF_ROLES:
        return "requested"
    return "confirmed"


def transition(booking: Booking, target: BookingStatus, now: datetime, reason: str | None = None) -> Booking:
    if target not in TRANSITIONS[booking.status]:
        raise Conflict(f"a {booking.status} booking cannot become {target}")
    if target == "completed" and booking.ends_at > now:
        raise Conflict("a booking can be completed only after it ends")
    return booking.model_copy(
        update={"status": target, "reason": reason, "version": booking.version + 1, "updated_at": now}
    )


def may_cancel(booking: Booking, actor_id: str, actor_is_hub_staff: bool) -> None:
    if booking.booker_id != actor_id and not actor_is_hub_staff:
        raise Forbidden("only the booker or the hub's staff can cancel this booking")


def weekly_occurrences(starts_at: datetime, ends_at: datetime, weeks: int) -> list[tuple[datetime, datetime]]:
    """The slot repeated weekly at the same local wall-clock time (stable across clock changes)."""
    start, end = starts_at.astimezone(HUB_TIMEZONE), ends_at.astimezone(HUB_TIMEZONE)
    out = []
    for week in range(weeks):
        s = (start.replace(tzinfo=None) + timedelta(weeks=week)).replace(tzinfo=HUB_TIMEZONE)
        e = (end.replace(tzinfo=None) + timedelta(weeks=week)).replace(tzinfo=HUB_TIMEZONE)
        out.append((s, e))
    return out

"""Shifts: requirements (eligibility), capacity and waitlist decisions, attendance.

Capacity is decided here from the shift's counters; the service saves the decision with a
conditional update inside a transaction, so concurrent sign-ups can never overfill a shift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Literal

from pydantic import BaseModel, Field

from hub_common.errors import Conflict, RuleViolation
from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.volunteers import CAN_SERVE, CHECK_RANK, SKILL_LEVELS, Volunteer

ShiftStatus = Literal["suggested", "published", "cancelled"]
SignupStatus = Literal["confirmed", "waitlisted", "cancelled"]
MAX_SHIFT_HOURS = 24
CHECK_IN_OPENS = timedelta(hours=1)


class Shift(BaseModel):
    id: str
    hub_id: str
    role_id: str
    status: ShiftStatus = "published"
    starts_at: datetime
    ends_at: datetime
    venue_id: str | None = None
    address: str | None = None
    capacity: int = Field(ge=1)
    equipment_ids: list[str] = Field(default_factory=list)  # assets (equipment) the shift needs
    confirmed: int = 0
    waitlisted: int = 0
    notes: str | None = None
    source_issue_id: str | None = None  # a suggested shift: the reported issue it would help with
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def open_places(self) -> int:
        return max(self.capacity - self.confirmed, 0)

    def check_open_for_signup(self, now: datetime) -> None:
        if self.status != "published":
            raise Conflict(f"the shift is {self.status}; sign-ups are closed")
        if self.starts_at <= now:
            raise Conflict("the shift has already started")

    def place_for_next_signup(self) -> Literal["confirmed", "waitlisted"]:
        """Confirmed while places remain; otherwise the waitlist."""
        return "confirmed" if self.confirmed < self.capacity else "waitlisted"

    def promotions_after(self, *, freed: int = 0) -> int:
        """How many waitlisted volunteers move up once ``freed`` places free up (or capacity grows)."""
        free = self.capacity - (self.confirmed - freed)
        return max(0, min(free, self.waitlisted))


def suggested_slot(reported_at: datetime, tz: tzinfo = UTC, hours: int = 2) -> tuple[datetime, datetime]:
    """When a shift suggested by an issue report would run: the first Saturday 10:00 (hub time) at
    least 2 days after the report, returned in UTC."""
    day = (reported_at.astimezone(tz) + timedelta(days=2)).date()
    day += timedelta(days=(5 - day.weekday()) % 7)
    start = datetime.combine(day, time(10, 0), tzinfo=tz).astimezone(UTC)
    return start, start + timedelta(hours=hours)


def check_shift_times(starts_at: datetime, ends_at: datetime, now: datetime | None = None) -> None:
    errors = []
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        errors.append({"field": "body.starts_at", "message": "times need a time zone", "type": "value_error"})
    elif ends_at <= starts_at:
        errors.append({"field": "body.ends_at", "message": "must be after starts_at", "type": "value_error"})
    elif (ends_at - starts_at).total_seconds() > MAX_SHIFT_HOURS * 3600:
        errors.append({"field": "body.ends_at", "message": "a shift lasts at most 24 hours", "type": "value_error"})
    elif now is not None and starts_at <= now:
        errors.append({"field": "body.starts_at", "message": "must be in the future", "type": "value_error"})
    if errors:
        raise RuleViolation("the shift's times are not valid", errors=errors)


def check_place(venue_id: str | None, address: str | None) -> None:
    if bool(venue_id) == bool(address and address.strip()):
        raise RuleViolation(
            "a shift takes place at a venue (venue_id) or an address, exactly one of them",
            errors=[{"field": "body.venue_id", "message": "give venue_id or address", "type": "value_error"}],
        )


@dataclass(frozen=True)
class Unmet:
    """One requirement a volunteer does not meet, in words they can act on."""

    code: str
    message: str


def unmet_requirements(volunteer: Volunteer, role: Role, shift: Shift) -> list[Unmet]:
    """Everything that stops this volunteer from serving on this shift (empty: eligible)."""
    day = shift.starts_at.astimezone(UTC).date()
    unmet: list[Unmet] = []
    if volunteer.erased_at is not None or volunteer.status not in CAN_SERVE:
        unmet.append(
            Unmet("status", f"volunteers must be approved or active to sign up (this one is {volunteer.status})")
        )
    min_age = role.effective_min_age
    age = volunteer.age_on(day)
    if min_age is not None:
        if age is None:
            unmet.append(Unmet("age_unknown", f"this role needs volunteers aged {min_age}+; date of birth unknown"))
        elif age < min_age:
            unmet.append(Unmet("age", f"this role needs volunteers aged {min_age} or over on the day"))
    for need in role.skills_needed or []:
        have = volunteer.skill_level(need.skill_id, day)
        if have < need.min_level:
            unmet.append(
                Unmet(
                    "skill",
                    f"needs skill {need.skill_id} at level {need.min_level} ({SKILL_LEVELS[need.min_level]})"
                    + (f"; has level {have}" if have else ""),
                )
            )
    level = role.check_level
    if level is not None and not volunteer.has_check(level, day):
        best = volunteer.best_check_on(day)
        have = f"; has {best}" if best and CHECK_RANK[best] < CHECK_RANK[level] else ""
        unmet.append(Unmet("check", f"needs a {level} background check valid on the day{have}"))
    return unmet


def require_eligible(volunteer: Volunteer, role: Role, shift: Shift) -> None:
    unmet = unmet_requirements(volunteer, role, shift)
    if unmet:
        raise Conflict(
            "the volunteer does not meet this shift's requirements: " + "; ".join(u.message for u in unmet),
            unmet=[{"code": u.code, "message": u.message} for u in unmet],
        )


class Signup(BaseModel):
    id: str  # "<shift_id>:<volunteer_id>": one sign-up per volunteer per shift
    shift_id: str
    volunteer_id: str
    hub_id: str
    role_id: str
    starts_at: datetime
    ends_at: datetime | None = None
    status: SignupStatus
    queued_at: datetime  # waitlist order
    signed_up_by: str
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    hours_id: str | None = None
    updated_at: datetime

    def check_in(self, at: datetime, shift: Shift) -> None:
        """Check in from an hour before the shift starts until it ends."""
        if self.status != "confirmed":
            raise Conflict(f"only a confirmed volunteer can check in (this sign-up is {self.status})")
        if self.checked_in_at is not None:
            raise Conflict("already checked in")
        if not shift.starts_at - CHECK_IN_OPENS <= at <= shift.ends_at:
            raise Conflict("check-in opens an hour before the shift starts and closes when it ends")
        self.checked_in_at = at

    def check_out(self, at: datetime) -> int:
        """Check out; returns the attended minutes."""
        if self.checked_in_at is None:
            raise Conflict("check in first")
        if self.checked_out_at is not None:
            raise Conflict("already checked out")
        if at < self.checked_in_at:
            raise RuleViolation("check-out must be after check-in")
        self.checked_out_at = at
        return int((at - self.checked_in_at).total_seconds() // 60)

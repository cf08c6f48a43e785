"""Hours: logging, approval, and hour milestones awarded exactly once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from hub_common.errors import Conflict, RuleViolation

HoursStatus = Literal["pending", "approved", "rejected"]
HoursSource = Literal["attendance", "volunteer", "staff", "partner"]
MAX_MINUTES_PER_ENTRY = 24 * 60
DEFAULT_MILESTONES: tuple[int, ...] = (10, 50, 100, 250, 500)


class HoursEntry(BaseModel):
    id: str
    volunteer_id: str
    hub_id: str
    role_id: str | None = None
    shift_id: str | None = None
    minutes: int = Field(ge=1, le=MAX_MINUTES_PER_ENTRY)
    worked_on: date
    note: str | None = None
    source: HoursSource
    status: HoursStatus = "pending"
    logged_by: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    partner_ref: str | None = None
    created_at: datetime

    def approve(self, by: str, at: datetime) -> None:
        self._decide("approved", by, at)

    def reject(self, by: str, at: datetime, reason: str | None) -> None:
        self._decide("rejected", by, at)
        self.reason = reason

    def _decide(self, status: HoursStatus, by: str, at: datetime) -> None:
        if self.status != "pending":
            raise Conflict(f"these hours were already {self.status}")
        self.status = status
        self.decided_by = by
        self.decided_at = at


def check_logged_hours(minutes: int, worked_on: date, today: date) -> None:
    if not 1 <= minutes <= MAX_MINUTES_PER_ENTRY:
        raise RuleViolation(
            "hours must be more than 0 and at most 24 in one entry",
            errors=[{"field": "body.hours", "message": "between 0 and 24", "type": "value_error"}],
        )
    if worked_on > today:
        raise RuleViolation(
            "hours cannot be logged for a day in the future",
            errors=[{"field": "body.worked_on", "message": "must not be in the future", "type": "value_error"}],
        )


def check_own_hours_for_shift(signed_up: bool, shift_started: bool, already_logged: bool) -> None:
    """A volunteer logging their own hours for a shift: they were on it, it has begun, and its time is
    not logged yet (checking out logs it; a second entry would count the same shift twice)."""
    if not signed_up:
        raise Conflict("you were not signed up to this shift")
    if not shift_started:
        raise Conflict("this shift has not started yet; log its hours once you have done it")
    if already_logged:
        raise Conflict("hours for this shift are already logged")


def milestones_reached(total_minutes: int, thresholds: Iterable[int], already: Iterable[int]) -> list[int]:
    """Milestones (in hours) the total has reached that were never awarded before, lowest first.

    Keyed on what was already awarded rather than on the previous total, so a milestone is
    awarded exactly once even if totals are recomputed or approvals arrive out of order.
    """
    awarded = set(already)
    return sorted(t for t in set(thresholds) if t * 60 <= total_minutes and t not in awarded)


def normalise_milestones(thresholds: Iterable[int]) -> tuple[int, ...]:
    values = sorted({int(t) for t in thresholds})
    if not values or values[0] <= 0:
        raise ValueError("milestones are positive whole hours")
    return tuple(values)

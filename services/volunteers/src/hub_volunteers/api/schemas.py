"""Response models of the API that are not domain models (views the use cases' results fill)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from hub_common.insight import InsightOut
from hub_volunteers.domain.hours import HoursEntry
from hub_volunteers.domain.shifts import Signup
from hub_volunteers.domain.volunteers import Status


class VolunteerSummary(BaseModel):
    """One row of the staff pipeline."""

    id: str
    hub_id: str
    status: Status
    name: str
    skills: list[str]
    best_check: str | None
    approved_hours: float
    created_at: datetime


class Totals(BaseModel):
    volunteer_id: str
    approved_hours: float
    pending_hours: float
    by_role: list[dict[str, Any]]
    milestones: list[int]
    next_milestone: int | None


class TotalRow(BaseModel):
    key: str | None
    hours: float
    entries: int


class MonthHours(BaseModel):
    month: str = Field(description="YYYY-MM")
    hours: float = Field(description="approved hours worked in the month")
    entries: int


class HoursInsight(InsightOut):
    monthly: list[MonthHours]


class Recommendation(BaseModel):
    shift_id: str
    role_id: str
    role_title: str
    hub_id: str
    starts_at: datetime
    ends_at: datetime
    open_places: int
    score: float
    explanation: str
    factors: list[dict[str, Any]]


class RosterEntry(Signup):
    """A sign-up with the volunteer's name, for the staff running the shift."""

    name: str


class QueuedHours(HoursEntry):
    """Hours in a hub's approval queue, with the volunteer's name, for the staff deciding them."""

    name: str


class FactorView(BaseModel):
    name: str
    points: float
    max_points: int
    detail: str


class MatchView(BaseModel):
    volunteer_id: str
    name: str
    score: float
    explanation: str
    factors: list[FactorView]


class WallEntry(BaseModel):
    """An award on the public recognition wall (only volunteers who opted in, first name only)."""

    award_id: str
    display_name: str
    title: str
    citation: str | None
    period: str | None
    given_at: datetime

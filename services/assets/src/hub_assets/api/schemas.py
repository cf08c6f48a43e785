"""Request and response bodies of the assets API (the domain models are the resource shapes)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field

from hub_assets.domain.assets import Asset
from hub_assets.service.shared import Contact
from hub_common.contracts.assets import BorrowerKind, Condition
from hub_common.insight import InsightOut


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactIn(Body):
    """Your contact details for messages about this booking or loan (sent only to notifications)."""

    display_name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ]{7,20}$")

    def to_contact(self) -> Contact:
        return Contact(display_name=self.display_name, email=str(self.email) if self.email else None, phone=self.phone)


class AssetOut(Asset):
    distance_m: float | None = Field(default=None, description="distance from the search point, when searching near")


class BookingIn(Body):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    purpose: str = Field(default="", max_length=500)
    attendees: int | None = Field(default=None, ge=1, le=100_000)
    organisation_id: str | None = Field(default=None, max_length=64, description="the group you book for")
    contact: ContactIn | None = None


class WeeklyBookingIn(Body):
    starts_at: AwareDatetime = Field(description="the first occurrence")
    ends_at: AwareDatetime
    weeks: int = Field(ge=1, le=52)
    purpose: str = Field(default="", max_length=500)
    attendees: int | None = Field(default=None, ge=1, le=100_000)
    organisation_id: str | None = Field(default=None, max_length=64)


class SeriesOut(BaseModel):
    series_id: str
    booked: list[dict[str, Any]]
    conflicts: list[dict[str, Any]] = Field(description="occurrences not booked, with the reasons")


class ReasonIn(Body):
    reason: str | None = Field(default=None, max_length=500)


class LoanIn(Body):
    borrower_kind: BorrowerKind
    borrower_id: str = Field(min_length=1, max_length=128, description="opaque person or organisation id")
    starts_at: AwareDatetime
    due_at: AwareDatetime
    quantity: int = Field(default=1, ge=1, le=10_000)
    contact: ContactIn | None = Field(default=None, description="a person borrower's contact details")


class LoanRequestIn(Body):
    """A resident's request to borrow: the borrower is the caller."""

    starts_at: AwareDatetime
    due_at: AwareDatetime
    quantity: int = Field(default=1, ge=1, le=100)
    notes: str = Field(default="", max_length=500, description="what it is for, for the hub's staff")
    contact: ContactIn | None = Field(default=None, description="how the hub tells you its decision")


class ConditionIn(Body):
    condition: Condition


class MaintenanceIn(Body):
    summary: str = Field(min_length=1, max_length=500)


class CompleteIn(Body):
    notes: str = Field(default="", max_length=2000)


class PeriodicOut(BaseModel):
    loans_overdue: int = Field(description="checked-out loans newly marked overdue")
    inspections_due: int = Field(description="inspection records opened")
    bookings_completed: int = Field(description="confirmed bookings that ended, marked completed")
    acv_changes: int = Field(description="moratoria ended and listings expired")


class NominationIn(Body):
    asset_id: str = Field(min_length=1, max_length=64, description="the building or space nominated")
    nominated_by: str = Field(min_length=1, max_length=64, description="the community group (organisation asset id)")
    reason: str = Field(min_length=1, max_length=4000, description="why it furthers social wellbeing or interests")
    nominated_on: date | None = Field(default=None, description="the day the council received it; today if absent")


class DecisionIn(Body):
    listed: bool
    decided_on: date | None = None
    reason: str | None = Field(default=None, max_length=2000)


class ReceivedIn(Body):
    received_on: date = Field(description="the day the council received the notice or request")


class UsageShare(BaseModel):
    organisation: str = Field(description="organisation id, or a bucket of bookers without one")
    bookings: int
    hours: float


class RoomUsage(BaseModel):
    room_id: str
    name: str | None
    bookings: int
    hours: float
    by_organisation: list[UsageShare]


class OrganisationUsage(UsageShare):
    rooms: int


class MonthUse(BaseModel):
    month: str = Field(description="YYYY-MM")
    bookings: int = Field(description="room bookings (confirmed or held) starting in the month")
    booked_hours: float
    loans: int = Field(description="equipment loans handed over in the month")


class UseInsight(InsightOut):
    monthly: list[MonthUse]


class UsageReport(BaseModel):
    hub_id: str
    from_: datetime = Field(alias="from", serialization_alias="from")
    to: datetime
    rooms: list[RoomUsage]
    organisations: list[OrganisationUsage]

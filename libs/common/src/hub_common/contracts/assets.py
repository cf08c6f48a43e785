"""Events published by the assets service (``hub.assets.events``).

The asset lifecycle events below are read by other services (issues validates ``asset_id``
against them; volunteers uses rooms and spaces as shift venues), so their fields are the public
minimum a partner or another service needs: never a private contact's details.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from hub_common.contracts.common import GeoPoint
from hub_common.contracts.registry import EventData, event_contract
from hub_common.contracts.topics import inbound_topic

AssetKind = Literal["space", "room", "equipment", "organisation", "service", "funding"]
AssetStatus = Literal["active", "inactive", "retired"]


class AssetSnapshot(EventData):
    """The public state of an asset after a change."""

    asset_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    kind: AssetKind
    name: str = Field(min_length=1, max_length=200)
    status: AssetStatus
    location: GeoPoint | None = None
    address: str | None = Field(default=None, max_length=500)
    parent_id: str | None = Field(default=None, max_length=64, description="e.g. the building a room is in")
    tags: list[str] = Field(default_factory=list)
    bookable: bool = False
    loanable: bool = False
    capacity: int | None = Field(default=None, ge=0)
    accessibility: list[str] = Field(default_factory=list)


@event_contract("hub.assets.asset.registered.v1")
class AssetRegistered(AssetSnapshot):
    """A new asset is on the locality map."""


@event_contract("hub.assets.asset.updated.v1")
class AssetUpdated(AssetSnapshot):
    """An asset's public details changed (the full new snapshot)."""


@event_contract("hub.assets.asset.retired.v1")
class AssetRetired(EventData):
    """An asset left the map; references to it should no longer be accepted."""

    asset_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    kind: AssetKind
    retired_at: datetime


# --- Room and facility bookings -------------------------------------------------------------

BookingStatus = Literal["requested", "confirmed", "declined", "cancelled", "completed"]


class BookingEvent(EventData):
    """A booking of a room after a change. The booker is an opaque person id, never contact data."""

    booking_id: str = Field(min_length=1, max_length=64)
    asset_id: str = Field(min_length=1, max_length=64, description="the room")
    hub_id: str = Field(min_length=1, max_length=64)
    status: BookingStatus
    starts_at: datetime
    ends_at: datetime
    booker_id: str = Field(min_length=1, max_length=128, description="opaque person id")
    organisation_id: str | None = Field(default=None, max_length=64, description="the group booking, if any")
    location: GeoPoint | None = None
    reason: str | None = Field(default=None, max_length=500, description="why it was declined or cancelled")


@event_contract("hub.assets.booking.requested.v1")
class BookingRequested(BookingEvent):
    """Someone asked for a room that needs approval; staff will confirm or decline it."""


@event_contract("hub.assets.booking.confirmed.v1")
class BookingConfirmed(BookingEvent):
    """The room is booked for this slot (no other confirmed booking overlaps it)."""


@event_contract("hub.assets.booking.declined.v1")
class BookingDeclined(BookingEvent):
    """Staff declined a requested booking."""


@event_contract("hub.assets.booking.cancelled.v1")
class BookingCancelled(BookingEvent):
    """The booker or staff cancelled a requested or confirmed booking."""


@event_contract("hub.assets.booking.completed.v1")
class BookingCompleted(BookingEvent):
    """A confirmed booking took place."""


@event_contract("hub.assets.room_booking.answered.v1")
class RoomBookingAnswered(EventData):
    """The answer to a platform service's room booking request (``hub.participation.room_booking.requested.v1``),
    carrying its ``request_id``: the booking made (confirmed, or requested where the room needs a staff
    decision), or declined with the reason when the room cannot be booked then; again whenever that
    booking is later confirmed, declined or cancelled."""

    request_id: str = Field(min_length=1, max_length=64, description="the request's correlation id")
    requested_by: str = Field(min_length=1, max_length=32, description="the service that asked, e.g. participation")
    booking_id: str | None = Field(default=None, max_length=64, description="None when no booking was made")
    asset_id: str = Field(min_length=1, max_length=64, description="the room")
    hub_id: str = Field(min_length=1, max_length=64)
    status: BookingStatus
    starts_at: datetime
    ends_at: datetime
    reason: str | None = Field(default=None, max_length=500, description="why it was declined or cancelled")
    answered_at: datetime


# --- Equipment loans ------------------------------------------------------------------------

LoanStatus = Literal["requested", "reserved", "checked_out", "returned", "cancelled", "declined"]
BorrowerKind = Literal["volunteer", "organisation", "resident"]
Condition = Literal["new", "good", "fair", "poor", "broken"]


class LoanEvent(EventData):
    """An equipment loan after a change. The borrower is an opaque id (person or organisation)."""

    loan_id: str = Field(min_length=1, max_length=64)
    asset_id: str = Field(min_length=1, max_length=64, description="the equipment")
    hub_id: str = Field(min_length=1, max_length=64)
    status: LoanStatus
    borrower_kind: BorrowerKind
    borrower_id: str = Field(min_length=1, max_length=128)
    starts_at: datetime
    due_at: datetime
    quantity: int = Field(default=1, ge=1)
    location: GeoPoint | None = None
    condition: Condition | None = Field(default=None, description="condition at check-out or check-in")
    reason: str | None = Field(default=None, max_length=500, description="why a request was declined")


@event_contract("hub.assets.loan.requested.v1")
class LoanRequested(LoanEvent):
    """A resident asked to borrow equipment for these dates; staff will approve or decline it."""


@event_contract("hub.assets.loan.reserved.v1")
class LoanReserved(LoanEvent):
    """Equipment is reserved for these dates (no overbooking of the available quantity); also a
    resident's request that staff approved."""


@event_contract("hub.assets.loan.declined.v1")
class LoanDeclined(LoanEvent):
    """Staff declined a resident's request to borrow equipment."""


@event_contract("hub.assets.loan.checked_out.v1")
class LoanCheckedOut(LoanEvent):
    """Equipment was handed to the borrower."""


@event_contract("hub.assets.loan.returned.v1")
class LoanReturned(LoanEvent):
    """Equipment came back, with its condition."""


@event_contract("hub.assets.loan.overdue.v1")
class LoanOverdue(LoanEvent):
    """Checked-out equipment was not returned by its due time (raised once per loan)."""


@event_contract("hub.assets.loan.cancelled.v1")
class LoanCancelled(LoanEvent):
    """A reservation was cancelled before check-out."""


# --- Maintenance ----------------------------------------------------------------------------

MaintenanceSource = Literal["issue", "check_in", "staff", "inspection"]


class MaintenanceEvent(EventData):
    """A maintenance record on an asset after a change."""

    maintenance_id: str = Field(min_length=1, max_length=100)
    asset_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    status: Literal["open", "completed"]
    source: MaintenanceSource
    summary: str = Field(max_length=500)
    issue_id: str | None = Field(default=None, max_length=64, description="the issue that opened it, if any")
    opened_at: datetime
    completed_at: datetime | None = None
    location: GeoPoint | None = None


@event_contract("hub.assets.maintenance.opened.v1")
class MaintenanceOpened(MaintenanceEvent):
    """An asset needs maintenance (from an issue report, a poor check-in, or staff)."""


@event_contract("hub.assets.maintenance.due.v1")
class MaintenanceDue(MaintenanceEvent):
    """A periodic inspection of equipment fell due; the record stays open until staff complete it."""


@event_contract("hub.assets.maintenance.completed.v1")
class MaintenanceCompleted(MaintenanceEvent):
    """Staff completed the maintenance (an issue being fixed never closes it silently)."""


# --- Assets of Community Value --------------------------------------------------------------

AcvStatus = Literal["nominated", "listed", "not_listed", "expired", "removed"]


class AcvEvent(EventData):
    """An Assets of Community Value entry after a change, with its statutory dates."""

    acv_id: str = Field(min_length=1, max_length=64)
    asset_id: str = Field(min_length=1, max_length=64, description="the building or land on the map")
    hub_id: str = Field(min_length=1, max_length=64)
    status: AcvStatus
    nominated_by: str = Field(min_length=1, max_length=64, description="the nominating community group (asset id)")
    nominated_on: date
    decision_due_on: date = Field(description="8 weeks from the nomination")
    decided_on: date | None = None
    listed_on: date | None = None
    expires_on: date | None = Field(default=None, description="5 years from the listing")
    review_deadline_on: date | None = Field(default=None, description="the owner may ask for a review until then")
    location: GeoPoint | None = None


@event_contract("hub.assets.acv.nominated.v1")
class AcvNominated(AcvEvent):
    """A community group nominated an asset of community value; the council decides within 8 weeks."""


@event_contract("hub.assets.acv.listed.v1")
class AcvListed(AcvEvent):
    """The council listed the asset (for 5 years)."""


@event_contract("hub.assets.acv.not_listed.v1")
class AcvNotListed(AcvEvent):
    """The council decided not to list the asset."""


@event_contract("hub.assets.acv.expired.v1")
class AcvExpired(AcvEvent):
    """The 5-year listing ended."""


class AcvMoratoriumEvent(AcvEvent):
    """A moratorium on disposing of a listed asset, with its dates."""

    phase: Literal["interim", "full"]
    notice_received_on: date
    ends_on: date = Field(description="the owner may dispose from this day (6 weeks, or 6 months with a bid)")
    protected_until: date = Field(description="18 months from the notice: no new moratorium before then")
    community_request_on: date | None = None


@event_contract("hub.assets.acv.moratorium_started.v1")
class AcvMoratoriumStarted(AcvMoratoriumEvent):
    """The owner's notice started the 6-week interim moratorium (phase interim), or a community group's
    request to bid extended it to the full 6-month moratorium (phase full)."""


@event_contract("hub.assets.acv.moratorium_ended.v1")
class AcvMoratoriumEnded(AcvMoratoriumEvent):
    """The moratorium ended; the protected period runs on until ``protected_until``."""


# --- Partner updates (inbound) --------------------------------------------------------------

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


@event_contract("hub.assets.directory_entry.submitted.v1", topic=inbound_topic("assets"))
class DirectoryEntrySubmitted(EventData):
    """A partner's current version of one of its own directory entries, published on ``hub.assets.inbound``.

    ``ce_source`` must be ``/partners/<partner_id>`` (in production a Kafka ACL lets each partner
    principal write only with its own source). The first submission creates the entry with the
    partner as its keeper; afterwards only that partner may change it. Older submissions than the
    one applied (by ``ce_time``) are ignored. ``organisation`` and ``service`` take the same fields
    as the assets API (``POST /v1/assets``); a submission they reject goes to ``hub.assets.dlt``.
    """

    entry_id: str = Field(pattern=UUID_PATTERN, description="the entry's id (a UUID the partner chooses)")
    partner_id: str = Field(min_length=1, max_length=128)
    hub_id: str = Field(min_length=1, max_length=64)
    kind: Literal["organisation", "service"]
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    status: Literal["active", "inactive"] = "active"
    location: GeoPoint | None = None
    address: str | None = Field(default=None, max_length=500)
    tags: list[str] = Field(default_factory=list, max_length=30)
    opening_hours: list[dict[str, Any]] = Field(
        default_factory=list, description='e.g. {"weekday": 1, "opens": "10:00", "closes": "13:00"} (Monday is 0)'
    )
    organisation: dict[str, Any] | None = Field(default=None, description="organisation details, as in the API")
    service: dict[str, Any] | None = Field(default=None, description="service details, as in the API")

"""What the assets service does with each event type it consumes.

- ``hub.assets.inbound``: a partner keeps its own directory entries, if granted the type and hub
  (``hub_common.partner_grants``) and only its own (the entry's ``partner_id`` is its source).
- ``hub.participation.room_booking.requested.v1`` on ``hub.assets.inbound``: a forum meeting's room,
  booked as the hub staff member who scheduled it and answered with ``room_booking.answered.v1``;
  only from ``/hub/participation`` (not partner-granted: the booker is staff that service checked).
- ``hub.participation.room_booking.released.v1`` on ``hub.assets.inbound``: that room given back (the
  meeting was called off): the booking made for the request is cancelled and the answer sent again;
  from the same sender only.
- ``hub.identity.partner.*``: the read model of partners' grants that check is made against.
"""

from __future__ import annotations

from hub_assets.domain.loans import KnownVolunteer
from hub_assets.service import UseCases
from hub_common import metrics
from hub_common.auth import Principal
from hub_common.consumer import Handler, PermanentError
from hub_common.contracts.assets import DirectoryEntrySubmitted
from hub_common.contracts.issues import IssueReported
from hub_common.contracts.participation import RoomBookingReleased, RoomBookingRequested
from hub_common.contracts.volunteers import (
    VolunteerApproved,
    VolunteerErased,
    VolunteerRegistered,
    VolunteerStatusChanged,
)
from hub_common.envelope import Envelope
from hub_common.errors import ProblemError
from hub_common.partner_grants import PartnerGrantRepository, grant_handlers, guarded_inbound
from hub_common.privacy import privacy_handlers
from hub_common.uow import Transaction

PARTNER_SOURCE_PREFIX = "/partners/"
# The platform services that may ask for a room on hub.assets.inbound, by their ce_source.
ROOM_REQUESTERS = {"/hub/participation": "participation"}
VOLUNTEER_TYPES = (VolunteerRegistered, VolunteerApproved, VolunteerStatusChanged, VolunteerErased)


def volunteer_status(data: object) -> str:
    """The status a volunteers event leaves the volunteer in."""
    if isinstance(data, VolunteerRegistered):
        return data.status
    if isinstance(data, VolunteerApproved):
        return "approved"
    if isinstance(data, VolunteerStatusChanged):
        return data.to_status
    return "erased"


def room_requester(event: Envelope) -> str:
    """The platform service a room request or release comes from; anyone else is dead-lettered."""
    service = ROOM_REQUESTERS.get(event.source)
    if service is None:
        metrics.INBOUND_REFUSED.labels("assets", event.type, "unknown_sender").inc()
        raise PermanentError(f"refused: ce_source {event.source!r} may not request or release room bookings")
    return service


def handlers(use_cases: UseCases, grants: PartnerGrantRepository) -> dict[str, Handler]:
    async def on_issue_reported(event: Envelope, tx: Transaction) -> None:
        """An issue reported against one of our assets opens maintenance on it (once per issue)."""
        data: IssueReported = event.data  # type: ignore[assignment]
        await use_cases.maintenance.open_from_issue(data, tx)

    async def on_directory_entry(event: Envelope, tx: Transaction, _partner: Principal | None) -> None:
        """A partner keeps its own directory entry current; anything else is dead-lettered."""
        data: DirectoryEntrySubmitted = event.data  # type: ignore[assignment]
        if event.source != f"{PARTNER_SOURCE_PREFIX}{data.partner_id}":
            raise PermanentError(f"ce_source {event.source!r} may not submit entries for partner {data.partner_id!r}")
        try:
            await use_cases.directory.apply_partner_entry(data, event.time, tx)
        except ProblemError as exc:
            raise PermanentError(exc.detail) from exc

    async def on_room_booking_request(event: Envelope, tx: Transaction) -> None:
        """A forum meeting's room, asked for by the participation service (and no one else: a
        partner's source is refused, since the booker is hub staff that participation checked)."""
        service = room_requester(event)
        data: RoomBookingRequested = event.data  # type: ignore[assignment]
        await use_cases.bookings.request_for_service(service, data, tx)

    async def on_room_booking_release(event: Envelope, tx: Transaction) -> None:
        """The room a platform service asked for, given back: only that service may give it back."""
        service = room_requester(event)
        data: RoomBookingReleased = event.data  # type: ignore[assignment]
        await use_cases.bookings.release_for_service(service, data, tx)

    async def on_volunteer(event: Envelope, tx: Transaction) -> None:
        """Keep who may borrow as a volunteer: id, hub and status (latest event time wins)."""
        data = event.data
        known = KnownVolunteer(
            id=data.volunteer_id, hub_id=data.hub_id, status=volunteer_status(data), updated_at=event.time
        )
        await use_cases.loans.record_volunteer(known, tx)

    return {
        **{t.event_type: on_volunteer for t in VOLUNTEER_TYPES},
        IssueReported.event_type: on_issue_reported,
        RoomBookingRequested.event_type: on_room_booking_request,
        RoomBookingReleased.event_type: on_room_booking_release,
        **guarded_inbound("assets", grants, {DirectoryEntrySubmitted.event_type: on_directory_entry}),
        **grant_handlers(grants),
        **privacy_handlers("assets", use_cases.personal_data),
    }

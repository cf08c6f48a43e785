"""Room and facility bookings: book a slot or a weekly series, the booking lifecycle, the room's
calendar and bookings list, the usage report, and the right to be forgotten.

Never two confirmed bookings overlap: after the rules pass, every transaction that books or
confirms bumps the room's lock document of each day the slot touches, then checks for overlaps.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hub_assets.adapters.assets import AssetRepository
from hub_assets.adapters.bookings import BookingRepository
from hub_assets.adapters.locks import AssetLocks
from hub_assets.domain import bookings as rules
from hub_assets.domain.assets import Asset
from hub_assets.domain.bookings import Booking, BookingSeries, SeriesConflict
from hub_assets.service.shared import Contact, new_id, publish_contact
from hub_assets.service.usage import usage_report
from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.assets import (
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingDeclined,
    BookingEvent,
    BookingRequested,
    BookingStatus,
    RoomBookingAnswered,
)
from hub_common.contracts.participation import RoomBookingReleased, RoomBookingRequested
from hub_common.errors import Conflict, Forbidden, NotFound, ProblemError, RuleViolation
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork

CALENDAR_PAST_DAYS = 30  # how far back the room's calendar feed goes
TRANSITION_EVENTS: dict[str, type[BookingEvent]] = {
    "confirmed": BookingConfirmed,
    "declined": BookingDeclined,
    "cancelled": BookingCancelled,
    "completed": BookingCompleted,
}


def answered_event(booking: Booking, now: datetime) -> RoomBookingAnswered:
    """The answer to the platform service whose request this booking was made for."""
    assert booking.request_id is not None and booking.requested_by is not None
    return RoomBookingAnswered(
        request_id=booking.request_id,
        requested_by=booking.requested_by,
        booking_id=booking.id,
        asset_id=booking.room_id,
        hub_id=booking.hub_id,
        status=booking.status,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        reason=booking.reason,
        answered_at=now,
    )


def booking_event(cls: type[BookingEvent], booking: Booking, room: Asset | None) -> BookingEvent:
    return cls(
        booking_id=booking.id,
        asset_id=booking.room_id,
        hub_id=booking.hub_id,
        status=booking.status,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        booker_id=booking.booker_id,
        organisation_id=booking.organisation_id,
        location=room.location if room else None,
        reason=booking.reason,
    )


class BookingService:
    def __init__(
        self, uow: UnitOfWork, bookings: BookingRepository, assets: AssetRepository, locks: AssetLocks, *, clock: Clock
    ) -> None:
        self.uow = uow
        self.bookings = bookings
        self.assets = assets
        self.locks = locks
        self.clock = clock

    # -- booking ----------------------------------------------------------------------------------------

    async def request(
        self,
        caller: Principal,
        room_id: str,
        *,
        starts_at: datetime,
        ends_at: datetime,
        purpose: str = "",
        attendees: int | None = None,
        organisation_id: str | None = None,
        contact: Contact | None = None,
        idempotency: IdempotentRequest | None = None,
    ) -> Booking:
        """Book a slot: confirmed at once, or requested where the room needs approval."""

        async def work(tx: Transaction) -> Booking:
            room = await self._bookable_room(room_id, tx)
            await self._check_booker(caller, room, organisation_id, tx)
            errors = self._rule_errors(caller, room, starts_at, ends_at, attendees)
            if errors:
                raise RuleViolation(
                    "this slot cannot be booked: " + "; ".join(e["message"] for e in errors), errors=errors
                )
            # Check before taking the lock too: a retried loser sees the winner here and stops without
            # writing, so a burst of requests for one slot does not keep conflicting on the lock.
            await self._refuse_overlap(room_id, starts_at, ends_at, tx)
            await self.locks.lock_room_days(room_id, starts_at, ends_at, tx.session)
            await self._refuse_overlap(room_id, starts_at, ends_at, tx)
            booking = self._new_booking(
                room, caller, organisation_id, purpose, attendees, starts_at, ends_at, self.clock()
            )
            await self._add(booking, room, tx)
            publish_contact(tx, caller.sub, contact, room.hub_id)
            return booking

        return await self.uow.run(work, idempotency=idempotency, result_type=Booking)

    async def request_weekly(
        self,
        caller: Principal,
        room_id: str,
        *,
        starts_at: datetime,
        ends_at: datetime,
        weeks: int,
        purpose: str = "",
        attendees: int | None = None,
        organisation_id: str | None = None,
        idempotency: IdempotentRequest | None = None,
    ) -> BookingSeries:
        """Book the slot weekly; occurrences that break a rule or clash are reported, the rest booked."""

        async def work(tx: Transaction) -> BookingSeries:
            room = await self._bookable_room(room_id, tx)
            occurrences = rules.weekly_occurrences(starts_at, ends_at, weeks)
            for start, end in occurrences:
                await self.locks.lock_room_days(room_id, start, end, tx.session)
            await self._check_booker(caller, room, organisation_id, tx)
            series_id, now = new_id(), self.clock()
            booked: list[Booking] = []
            conflicts: list[SeriesConflict] = []
            for start, end in occurrences:
                reasons = [e["message"] for e in self._rule_errors(caller, room, start, end, attendees)]
                clash = await self.bookings.confirmed_overlapping(room_id, start, end, tx.session)
                clash_new = rules.first_overlap(start, end, [b for b in booked if b.status == "confirmed"])
                if clash or clash_new:
                    reasons.append("the room is already booked for part of this slot")
                if reasons:
                    conflicts.append(
                        SeriesConflict(starts_at=start.isoformat(), ends_at=end.isoformat(), reasons=reasons)
                    )
                    continue
                booking = self._new_booking(
                    room, caller, organisation_id, purpose, attendees, start, end, now, series_id=series_id
                )
                await self._add(booking, room, tx)
                booked.append(booking)
            return BookingSeries(series_id=series_id, booked=booked, conflicts=conflicts)

        return await self.uow.run(work, idempotency=idempotency, result_type=BookingSeries)

    async def request_for_service(self, service: str, data: RoomBookingRequested, tx: Transaction) -> None:
        """A platform service's request for a room (a forum meeting's), in the consumer's transaction:
        booked as the hub staff member who asked, through the same rules, lock and overlap check as
        any booking, and answered with its correlation id (declined with the reason when the room
        cannot be booked then). A request booked before is not booked again."""
        if await self.bookings.of_request(data.request_id, tx.session) is not None:
            return
        caller = Principal(sub=data.requested_by, role="staff", hubs=(data.hub_id,))
        now = self.clock()
        try:
            room = await self._bookable_room(data.room_id, tx)
            if room.hub_id != data.hub_id:
                raise Forbidden(f"the room is not in hub {data.hub_id!r}")
            errors = self._rule_errors(caller, room, data.starts_at, data.ends_at, data.attendees)
            if errors:
                raise RuleViolation("this slot cannot be booked: " + "; ".join(e["message"] for e in errors))
            await self.locks.lock_room_days(room.id, data.starts_at, data.ends_at, tx.session)
            await self._refuse_overlap(room.id, data.starts_at, data.ends_at, tx)
        except ProblemError as exc:
            tx.publish(
                RoomBookingAnswered(
                    request_id=data.request_id,
                    requested_by=service,
                    asset_id=data.room_id,
                    hub_id=data.hub_id,
                    status="declined",
                    starts_at=data.starts_at,
                    ends_at=data.ends_at,
                    reason=exc.detail[:500],
                    answered_at=now,
                ),
                subject=data.request_id,
                hub_id=data.hub_id,
            )
            return
        booking = self._new_booking(
            room, caller, None, data.purpose, data.attendees, data.starts_at, data.ends_at, now
        ).model_copy(update={"request_id": data.request_id, "requested_by": service})
        await self._add(booking, room, tx)
        tx.publish(answered_event(booking, now), subject=data.request_id, hub_id=booking.hub_id)

    async def _bookable_room(self, room_id: str, tx: Transaction) -> Asset:
        room = await self.assets.find(room_id, tx.session)
        if room is None or room.kind != "room":
            raise NotFound(f"there is no room {room_id!r}")
        if room.status != "active":
            raise Conflict("this room is not taking bookings")
        return room

    async def _check_booker(self, caller: Principal, room: Asset, organisation_id: str | None, tx: Transaction) -> None:
        """Staff and partners book only in their hubs; a group booked for must be on the map."""
        if caller.role != "resident":
            caller.require_hub(room.hub_id)
        if organisation_id is not None:
            org = await self.assets.find(organisation_id, tx.session)
            if org is None or org.kind != "organisation" or org.status == "retired":
                raise RuleViolation(
                    "organisation_id must be an organisation on the map",
                    errors=[{"field": "organisation_id", "message": "no such organisation"}],
                )

    def _rule_errors(
        self, caller: Principal, room: Asset, starts_at: datetime, ends_at: datetime, attendees: int | None
    ) -> list[dict[str, str]]:
        assert room.room is not None
        return rules.booking_rule_errors(
            policy=room.room.policy,
            opening_hours=room.opening_hours,
            blackouts=room.room.blackouts,
            starts_at=starts_at,
            ends_at=ends_at,
            now=self.clock(),
            role=caller.role,
            attendees=attendees,
            capacity=room.room.capacity,
        )

    async def _refuse_overlap(self, room_id: str, starts_at: datetime, ends_at: datetime, tx: Transaction) -> None:
        clash = await self.bookings.confirmed_overlapping(room_id, starts_at, ends_at, tx.session)
        if clash:
            raise Conflict(
                "the room is already booked for part of this slot",
                conflicts=[{"starts_at": b.starts_at.isoformat(), "ends_at": b.ends_at.isoformat()} for b in clash],
            )

    def _new_booking(
        self,
        room: Asset,
        caller: Principal,
        organisation_id: str | None,
        purpose: str,
        attendees: int | None,
        starts_at: datetime,
        ends_at: datetime,
        now: datetime,
        series_id: str | None = None,
    ) -> Booking:
        """A booking of ``room`` by ``caller``: confirmed at once unless the room needs approval."""
        assert room.room is not None
        return Booking(
            id=new_id(),
            room_id=room.id,
            hub_id=room.hub_id,
            booker_id=caller.sub,
            booker_role=caller.role,
            organisation_id=organisation_id,
            purpose=purpose,
            attendees=attendees,
            starts_at=starts_at,
            ends_at=ends_at,
            status=rules.initial_status(room.room.policy, caller.role),
            series_id=series_id,
            created_at=now,
            updated_at=now,
        )

    async def _add(self, booking: Booking, room: Asset, tx: Transaction) -> None:
        await self.bookings.add(booking, tx.session)
        event = BookingConfirmed if booking.status == "confirmed" else BookingRequested
        tx.publish(booking_event(event, booking, room), subject=booking.id, hub_id=booking.hub_id)

    # -- the lifecycle ----------------------------------------------------------------------------------

    async def change(
        self,
        caller: Principal,
        booking_id: str,
        target: BookingStatus,
        *,
        reason: str | None = None,
        expected: int | None = None,
    ) -> Booking:
        """Confirm, decline or complete (hub staff), or cancel (also the booker)."""

        async def work(tx: Transaction) -> Booking:
            current = await self.bookings.get(booking_id, tx.session)
            return await self._move(caller, current, target, reason, expected, tx)

        return await self.uow.run(work)

    async def release_for_service(self, service: str, data: RoomBookingReleased, tx: Transaction) -> None:
        """A platform service gives back the room it asked for (a forum meeting called off), in the
        consumer's transaction: the booking made for that request is cancelled with the reason, as
        the staff member who released it, if it still stands, and the service hears it. A repeat, or
        a request that was never booked, changes nothing."""
        current = await self.bookings.of_request(data.request_id, tx.session)
        if current is None or current.requested_by != service or current.status not in ("requested", "confirmed"):
            return
        caller = Principal(sub=data.released_by, role="staff", hubs=(data.hub_id,))
        await self._move(caller, current, "cancelled", data.reason, None, tx)

    async def _move(
        self,
        caller: Principal,
        current: Booking,
        target: BookingStatus,
        reason: str | None,
        expected: int | None,
        tx: Transaction,
    ) -> Booking:
        staff = caller.is_staff_for(current.hub_id)
        if target == "cancelled":
            rules.may_cancel(current, caller.sub, staff)
        elif not staff:
            raise Forbidden("only the hub's staff can confirm, decline or complete bookings")
        check_version(expected, current.version)
        if target == "confirmed":
            await self.locks.lock_room_days(current.room_id, current.starts_at, current.ends_at, tx.session)
            clash = await self.bookings.confirmed_overlapping(
                current.room_id, current.starts_at, current.ends_at, tx.session
            )
            if [b for b in clash if b.id != current.id]:
                raise Conflict("another confirmed booking overlaps this one; decline it instead")
        booking = rules.transition(current, target, self.clock(), reason)
        await self.bookings.save_if_version(booking, current.version, tx.session)
        room = await self.assets.get(current.room_id, tx.session)
        tx.publish(booking_event(TRANSITION_EVENTS[target], booking, room), subject=booking.id, hub_id=booking.hub_id)
        if booking.request_id is not None:  # the service that asked for it hears the decision
            tx.publish(answered_event(booking, booking.updated_at), subject=booking.request_id, hub_id=booking.hub_id)
        return booking

    async def complete_ended(self, limit: int = 500) -> int:
        """Periodic: confirmed bookings that have ended become completed (each announced once)."""
        now = self.clock()
        done = 0
        for booking_id in await self.bookings.ended_confirmed(now, limit):

            async def work(tx: Transaction, booking_id: str = booking_id) -> bool:
                current = await self.bookings.get(booking_id, tx.session)
                if current.status != "confirmed" or current.ends_at > now:
                    return False
                booking = rules.transition(current, "completed", now)
                await self.bookings.replace_if_version(booking, current.version, tx.session)
                room = await self.assets.find(booking.room_id, tx.session)
                tx.publish(booking_event(BookingCompleted, booking, room), subject=booking.id, hub_id=booking.hub_id)
                return True

            if await self.uow.run(work):
                done += 1
        return done

    # -- reading ----------------------------------------------------------------------------------------

    async def get(self, caller: Principal, booking_id: str) -> Booking:
        """One booking, for its booker or the hub's staff (a 404 for anyone else)."""
        booking = await self.bookings.get(booking_id)
        if booking.booker_id != caller.sub and not caller.is_staff_for(booking.hub_id):
            raise NotFound(f"there is no booking {booking_id!r}")
        return booking

    async def listing(
        self,
        caller: Principal,
        *,
        hub_id: str | None,
        room_id: str | None,
        status: BookingStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Booking], str | None]:
        """A room's bookings or a hub's by status (staff; default: the approval queue), else the caller's own."""
        if room_id is not None:
            room = await self.assets.get(room_id)
            caller.require_staff_for(room.hub_id)
            return await self.bookings.of_room(room_id, status, limit=limit, cursor=cursor)
        if hub_id is not None:
            caller.require_staff_for(hub_id)
            return await self.bookings.in_hub(hub_id, status or "requested", limit=limit, cursor=cursor)
        return await self.bookings.of_booker(caller.sub, status, limit=limit, cursor=cursor)

    async def calendar(self, room_id: str) -> tuple[Asset, list[Booking]]:
        """The room and its confirmed bookings from a month ago on (its public calendar feed)."""
        room = await self.assets.find(room_id)
        if room is None or room.kind != "room":
            raise NotFound(f"there is no room {room_id!r}")
        since = self.clock() - timedelta(days=CALENDAR_PAST_DAYS)
        return room, await self.bookings.in_room(room_id, statuses=("confirmed",), since=since)

    async def usage(self, caller: Principal, hub_id: str, since: datetime, until: datetime) -> dict[str, Any]:
        """Joint use of facilities (hub staff): confirmed and held bookings per room and per organisation."""
        caller.require_staff_for(hub_id)
        if until <= since or until - since > timedelta(days=366):
            raise RuleViolation("give a period of at most a year, 'from' before 'to'")
        rows = await self.bookings.usage(hub_id, since, until)
        rooms = await self.assets.many(sorted({r["room_id"] for r in rows}))
        return usage_report(hub_id, since, until, rows, {room_id: room.name for room_id, room in rooms.items()})

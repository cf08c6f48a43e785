"""Use cases of the assets service: load → domain → save state and events in one unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from hub_assets.adapters.repository import (
    AcvRepository,
    AssetRepository,
    BookingRepository,
    LoanRepository,
    MaintenanceRepository,
    VolunteerDirectory,
    lock_asset,
    lock_room_days,
)
from hub_assets.domain import acv as acv_rules
from hub_assets.domain import bookings as booking_rules
from hub_assets.domain import loans as loan_rules
from hub_assets.domain import maintenance as maintenance_rules
from hub_assets.domain.acv import Nomination
from hub_assets.domain.assets import Asset, AssetFields, new_asset, retired_asset, updated_asset
from hub_assets.domain.bookings import Booking
from hub_assets.domain.loans import Loan
from hub_assets.domain.maintenance import MaintenanceRecord
from hub_common.auth import Principal
from hub_common.concurrency import check_version
from hub_common.contracts.assets import (
    AcvEvent,
    AcvExpired,
    AcvListed,
    AcvMoratoriumEnded,
    AcvMoratoriumEvent,
    AcvMoratoriumStarted,
    AcvNominated,
    AcvNotListed,
    AssetRegistered,
    AssetRetired,
    AssetUpdated,
    BookingCancelled,
    BookingCompleted,
    BookingConfirmed,
    BookingDeclined,
    BookingEvent,
    BookingRequested,
    Condition,
    DirectoryEntrySubmitted,
    LoanCancelled,
    LoanCheckedOut,
    LoanEvent,
    LoanOverdue,
    LoanReserved,
    LoanReturned,
    MaintenanceCompleted,
    MaintenanceDue,
    MaintenanceEvent,
    MaintenanceOpened,
)
from hub_common.contracts.contacts import BookerContactErased, BookerContactUpserted
from hub_common.contracts.issues import IssueReported
from hub_common.errors import Conflict, Forbidden, NotFound, PreconditionFailed, RuleViolation
from hub_common.logging import get_logger
from hub_common.uow import IdempotentRequest, Replayed, Transaction, UnitOfWork

log = get_logger(__name__)

M = TypeVar("M", bound=BaseModel)
PARTNER_KINDS = ("organisation", "service", "funding")


@dataclass(frozen=True)
class Contact:
    """Contact details given with a booking or loan: sent only on hub.contacts, never stored here."""

    display_name: str
    email: str | None = None
    phone: str | None = None


def _new_id() -> str:
    return str(uuid.uuid4())


def _result(model: type[M], outcome: Any) -> M:
    return model.model_validate(outcome.result) if isinstance(outcome, Replayed) else outcome


def _json(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


class AssetsService:
    def __init__(self, db: Any, uow: UnitOfWork, clock: Callable[[], datetime] | None = None) -> None:
        self.db = db
        self.uow = uow
        self.clock = clock or (lambda: datetime.now(UTC))
        self.assets = AssetRepository(db)
        self.bookings = BookingRepository(db)
        self.loans = LoanRepository(db)
        self.maintenance = MaintenanceRepository(db)
        self.acv = AcvRepository(db)
        self.volunteers = VolunteerDirectory(db)

    # --- authorisation helpers ----------------------------------------------------------------

    @staticmethod
    def require_staff_of(principal: Principal, hub_id: str) -> None:
        principal.require_role("staff", "operator")
        principal.require_hub(hub_id)

    @staticmethod
    def is_staff_of(principal: Principal, hub_id: str) -> bool:
        return principal.role in ("staff", "operator") and principal.can_act_for_hub(hub_id)

    def _may_edit_entry(self, principal: Principal, asset: Asset) -> None:
        if self.is_staff_of(principal, asset.hub_id):
            return
        if principal.role == "partner" and asset.owner_id == principal.sub and principal.can_act_for_hub(asset.hub_id):
            return
        raise Forbidden("only the hub's staff, or the partner who keeps this entry, can change it")

    # --- asset map ----------------------------------------------------------------------------

    async def register_asset(
        self, principal: Principal, fields: AssetFields, idempotency: IdempotentRequest | None = None
    ) -> Asset:
        principal.require_role("staff", "operator", "partner")
        principal.require_hub(fields.hub_id)
        if principal.role == "partner":
            if fields.kind not in PARTNER_KINDS:
                raise Forbidden(f"partners keep directory entries ({', '.join(PARTNER_KINDS)}); ask hub staff")
            fields = fields.model_copy(update={"owner_id": principal.sub})
        elif fields.owner_id is None:
            fields = fields.model_copy(update={"owner_id": principal.sub})
        await self._check_references(fields)

        async def work(tx: Transaction) -> Asset:
            asset = new_asset(_new_id(), fields, self.clock())
            await self.assets.insert(asset, tx.session)
            tx.publish(AssetRegistered(**asset.snapshot()), subject=asset.id, hub_id=asset.hub_id)
            return asset

        return _result(Asset, await self.uow.run(work, idempotency=idempotency, serialize=_json))

    async def _check_references(self, fields: AssetFields) -> None:
        """The parent (e.g. a room's building) and a service's organisation must be on the map, in the same hub."""
        if fields.parent_id is not None:
            parent = await self.assets.find(fields.parent_id)
            if parent is None or parent.status == "retired":
                raise RuleViolation(
                    f"parent asset {fields.parent_id!r} does not exist",
                    errors=[{"field": "parent_id", "message": "no such active asset"}],
                )
            if parent.hub_id != fields.hub_id:
                raise RuleViolation("an asset and its parent belong to the same hub")
        if fields.service is not None and fields.service.organisation_id:
            org = await self.assets.find(fields.service.organisation_id)
            if org is None or org.kind != "organisation" or org.status == "retired":
                raise RuleViolation(
                    "service.organisation_id must be an organisation on the map",
                    errors=[{"field": "service.organisation_id", "message": "no such organisation"}],
                )

    async def update_asset(
        self, principal: Principal, asset_id: str, fields: AssetFields, expected_version: int | None
    ) -> Asset:
        await self._check_references(fields)

        async def work(tx: Transaction) -> Asset:
            current = await self.assets.get(asset_id, tx.session)
            self._may_edit_entry(principal, current)
            check_version(expected_version, current.version)
            changes = fields
            if not self.is_staff_of(principal, current.hub_id):  # only staff hand an entry to another keeper
                changes = fields.model_copy(update={"owner_id": current.owner_id})
            asset = updated_asset(current, changes, self.clock())
            await self._save_asset(asset, current.version, tx)
            tx.publish(AssetUpdated(**asset.snapshot()), subject=asset.id, hub_id=asset.hub_id)
            return asset

        return await self.uow.run(work)

    async def _save_asset(self, asset: Asset, expected_version: int, tx: Transaction) -> None:
        if not await self.assets.replace(asset, expected_version, tx.session):
            raise PreconditionFailed("the asset changed meanwhile; read it again")

    async def retire_asset(self, principal: Principal, asset_id: str, expected_version: int | None) -> Asset:
        async def work(tx: Transaction) -> Asset:
            current = await self.assets.get(asset_id, tx.session)
            self._may_edit_entry(principal, current)
            check_version(expected_version, current.version)
            asset = retired_asset(current, self.clock())
            await self._save_asset(asset, current.version, tx)
            tx.publish(
                AssetRetired(asset_id=asset.id, hub_id=asset.hub_id, kind=asset.kind, retired_at=asset.retired_at),
                subject=asset.id,
                hub_id=asset.hub_id,
            )
            return asset

        return await self.uow.run(work)

    async def apply_partner_entry(self, entry: DirectoryEntrySubmitted, submitted_at: datetime, tx: Transaction) -> str:
        """A partner's directory entry from hub.assets.inbound: create it, or update it if it is theirs.

        Raises a ProblemError when the submission can never be applied (the consumer dead-letters it).
        Returns what happened: created, updated or stale.
        """
        try:
            fields = AssetFields.model_validate(
                {**entry.model_dump(exclude={"entry_id", "partner_id"}), "owner_id": entry.partner_id}
            )
        except ValidationError as exc:
            raise RuleViolation(f"the entry is not valid: {exc.errors(include_url=False)}") from None
        current = await self.assets.find(entry.entry_id, tx.session)
        if current is None:
            asset = new_asset(entry.entry_id, fields, self.clock())
            asset = asset.model_copy(update={"source_updated_at": submitted_at})
            await self.assets.insert(asset, tx.session)
            tx.publish(AssetRegistered(**asset.snapshot()), subject=asset.id, hub_id=asset.hub_id)
            return "created"
        if current.owner_id != entry.partner_id:
            raise Forbidden(f"entry {entry.entry_id} is not kept by partner {entry.partner_id}")
        if current.source_updated_at is not None and submitted_at <= current.source_updated_at:
            return "stale"
        asset = updated_asset(current, fields, self.clock()).model_copy(update={"source_updated_at": submitted_at})
        await self._save_asset(asset, current.version, tx)
        tx.publish(AssetUpdated(**asset.snapshot()), subject=asset.id, hub_id=asset.hub_id)
        return "updated"

    # --- room bookings ------------------------------------------------------------------------

    def _booking_event(self, cls: type[BookingEvent], booking: Booking, room: Asset | None) -> BookingEvent:
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

    async def _bookable_room(self, room_id: str, tx: Transaction) -> Asset:
        room = await self.assets.find(room_id, tx.session)
        if room is None or room.kind != "room":
            raise NotFound(f"there is no room {room_id!r}")
        if room.status != "active":
            raise Conflict("this room is not taking bookings")
        return room

    async def _check_booker(
        self, principal: Principal, room: Asset, organisation_id: str | None, tx: Transaction
    ) -> None:
        if principal.role in ("staff", "partner"):
            principal.require_hub(room.hub_id)
        if organisation_id is not None:
            org = await self.assets.find(organisation_id, tx.session)
            if org is None or org.kind != "organisation" or org.status == "retired":
                raise RuleViolation(
                    "organisation_id must be an organisation on the map",
                    errors=[{"field": "organisation_id", "message": "no such organisation"}],
                )

    def _rules(self, principal: Principal, room: Asset, starts_at: datetime, ends_at: datetime, attendees: int | None):
        assert room.room is not None
        return booking_rules.booking_rule_errors(
            policy=room.room.policy,
            opening_hours=room.opening_hours,
            blackouts=room.room.blackouts,
            starts_at=starts_at,
            ends_at=ends_at,
            now=self.clock(),
            role=principal.role,
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

    async def request_booking(
        self,
        principal: Principal,
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
        async def work(tx: Transaction) -> Booking:
            room = await self._bookable_room(room_id, tx)
            await self._check_booker(principal, room, organisation_id, tx)
            errors = self._rules(principal, room, starts_at, ends_at, attendees)
            if errors:
                raise RuleViolation(
                    "this slot cannot be booked: " + "; ".join(e["message"] for e in errors), errors=errors
                )
            # Check before taking the lock too: a retried loser sees the winner here and stops without
            # writing, so a burst of requests for one slot does not keep conflicting on the lock.
            await self._refuse_overlap(room_id, starts_at, ends_at, tx)
            await lock_room_days(self.db, room_id, starts_at, ends_at, tx.session)
            await self._refuse_overlap(room_id, starts_at, ends_at, tx)
            assert room.room is not None
            now = self.clock()
            booking = _new_booking(room, principal, organisation_id, purpose, attendees, starts_at, ends_at, now)
            await self.bookings.insert(booking, tx.session)
            event = BookingConfirmed if booking.status == "confirmed" else BookingRequested
            tx.publish(self._booking_event(event, booking, room), subject=booking.id, hub_id=booking.hub_id)
            self._publish_contact(tx, principal.sub, contact, room.hub_id)
            return booking

        return _result(Booking, await self.uow.run(work, idempotency=idempotency, serialize=_json))

    @staticmethod
    def _publish_contact(tx: Transaction, person_id: str, contact: Contact | None, hub_id: str) -> None:
        if contact is None:
            return
        channels = [c for c, v in (("email", contact.email), ("sms", contact.phone)) if v]
        tx.publish(
            BookerContactUpserted(
                person_id=person_id,
                display_name=contact.display_name,
                email=contact.email,
                phone=contact.phone,
                hub_ids=[hub_id],
                consented_channels=channels,
            ),
            subject=person_id,
            hub_id=hub_id,
        )

    async def request_weekly_series(
        self,
        principal: Principal,
        room_id: str,
        *,
        starts_at: datetime,
        ends_at: datetime,
        weeks: int,
        purpose: str = "",
        attendees: int | None = None,
        organisation_id: str | None = None,
        idempotency: IdempotentRequest | None = None,
    ) -> dict[str, Any]:
        """Book the slot weekly; occurrences that break a rule or clash are reported, the rest booked."""

        async def work(tx: Transaction) -> dict[str, Any]:
            room = await self._bookable_room(room_id, tx)
            for start, end in booking_rules.weekly_occurrences(starts_at, ends_at, weeks):
                await lock_room_days(self.db, room_id, start, end, tx.session)
            await self._check_booker(principal, room, organisation_id, tx)
            assert room.room is not None
            series_id, now = _new_id(), self.clock()
            booked: list[Booking] = []
            conflicts: list[dict[str, Any]] = []
            for start, end in booking_rules.weekly_occurrences(starts_at, ends_at, weeks):
                errors = self._rules(principal, room, start, end, attendees)
                clash = await self.bookings.confirmed_overlapping(room_id, start, end, tx.session)
                clash_new = booking_rules.first_overlap(start, end, [b for b in booked if b.status == "confirmed"])
                reasons = [e["message"] for e in errors]
                if clash or clash_new:
                    reasons.append("the room is already booked for part of this slot")
                if reasons:
                    conflicts.append({"starts_at": start, "ends_at": end, "reasons": reasons})
                    continue
                booking = _new_booking(
                    room, principal, organisation_id, purpose, attendees, start, end, now, series_id=series_id
                )
                await self.bookings.insert(booking, tx.session)
                event = BookingConfirmed if booking.status == "confirmed" else BookingRequested
                tx.publish(self._booking_event(event, booking, room), subject=booking.id, hub_id=booking.hub_id)
                booked.append(booking)
            return {
                "series_id": series_id,
                "booked": [_json(b) for b in booked],
                "conflicts": [
                    {
                        "starts_at": c["starts_at"].isoformat(),
                        "ends_at": c["ends_at"].isoformat(),
                        "reasons": c["reasons"],
                    }
                    for c in conflicts
                ],
            }

        outcome = await self.uow.run(work, idempotency=idempotency)
        return outcome.result if isinstance(outcome, Replayed) else outcome

    async def change_booking(
        self,
        principal: Principal,
        booking_id: str,
        target: str,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Booking:
        events = {
            "confirmed": BookingConfirmed,
            "declined": BookingDeclined,
            "cancelled": BookingCancelled,
            "completed": BookingCompleted,
        }

        async def work(tx: Transaction) -> Booking:
            current = await self.bookings.get(booking_id, tx.session)
            staff = self.is_staff_of(principal, current.hub_id)
            if target == "cancelled":
                booking_rules.may_cancel(current, principal.sub, staff)
            elif not staff:
                raise Forbidden("only the hub's staff can confirm, decline or complete bookings")
            check_version(expected_version, current.version)
            if target == "confirmed":
                await lock_room_days(self.db, current.room_id, current.starts_at, current.ends_at, tx.session)
                clash = await self.bookings.confirmed_overlapping(
                    current.room_id, current.starts_at, current.ends_at, tx.session
                )
                if [b for b in clash if b.id != current.id]:
                    raise Conflict("another confirmed booking overlaps this one; decline it instead")
            booking = booking_rules.transition(current, target, self.clock(), reason)
            if not await self.bookings.replace(booking, current.version, tx.session):
                raise PreconditionFailed("the booking changed meanwhile; read it again")
            room = await self.assets.get(current.room_id, tx.session)
            tx.publish(self._booking_event(events[target], booking, room), subject=booking.id, hub_id=booking.hub_id)
            return booking

        return await self.uow.run(work)

    async def get_booking(self, principal: Principal, booking_id: str) -> Booking:
        booking = await self.bookings.get(booking_id)
        if booking.booker_id != principal.sub and not self.is_staff_of(principal, booking.hub_id):
            raise NotFound(f"there is no booking {booking_id!r}")
        return booking

    async def usage_report(self, principal: Principal, hub_id: str, since: datetime, until: datetime) -> dict[str, Any]:
        """Joint use of facilities: confirmed and held bookings per room and per organisation."""
        self.require_staff_of(principal, hub_id)
        if until <= since or until - since > timedelta(days=366):
            raise RuleViolation("give a period of at most a year, 'from' before 'to'")
        rows = await self.bookings.usage(hub_id, since, until)
        rooms = await self.assets.find_many(sorted({r["room_id"] for r in rows}))
        by_room: dict[str, dict[str, Any]] = {}
        by_org: dict[str, dict[str, Any]] = {}
        for row in rows:
            hours = round(row["minutes"] / 60, 2)
            room = by_room.setdefault(
                row["room_id"],
                {
                    "room_id": row["room_id"],
                    "name": rooms[row["room_id"]].name if row["room_id"] in rooms else None,
                    "bookings": 0,
                    "hours": 0.0,
                    "by_organisation": [],
                },
            )
            room["bookings"] += row["bookings"]
            room["hours"] = round(room["hours"] + hours, 2)
            user = row["organisation_id"] or f"({row['booker_role']}s without an organisation)"
            room["by_organisation"].append({"organisation": user, "bookings": row["bookings"], "hours": hours})
            org = by_org.setdefault(user, {"organisation": user, "bookings": 0, "hours": 0.0, "rooms": 0})
            org["bookings"] += row["bookings"]
            org["hours"] = round(org["hours"] + hours, 2)
            org["rooms"] += 1
        return {
            "hub_id": hub_id,
            "from": since,
            "to": until,
            "rooms": sorted(by_room.values(), key=lambda r: -r["hours"]),
            "organisations": sorted(by_org.values(), key=lambda o: -o["hours"]),
        }

    # --- equipment loans ----------------------------------------------------------------------

    def _loan_event(self, cls: type[LoanEvent], loan: Loan, asset: Asset | None, condition=None) -> LoanEvent:
        return cls(
            loan_id=loan.id,
            asset_id=loan.asset_id,
            hub_id=loan.hub_id,
            status=loan.status,
            borrower_kind=loan.borrower_kind,
            borrower_id=loan.borrower_id,
            starts_at=loan.starts_at,
            due_at=loan.due_at,
            quantity=loan.quantity,
            location=asset.location if asset else None,
            condition=condition,
        )

    async def reserve_equipment(
        self,
        principal: Principal,
        asset_id: str,
        *,
        borrower_kind: str,
        borrower_id: str,
        starts_at: datetime,
        due_at: datetime,
        quantity: int = 1,
        contact: Contact | None = None,
        idempotency: IdempotentRequest | None = None,
    ) -> Loan:
        async def work(tx: Transaction) -> Loan:
            asset = await self.assets.find(asset_id, tx.session)
            if asset is None or asset.kind != "equipment":
                raise NotFound(f"there is no equipment {asset_id!r}")
            await lock_asset(self.db, asset_id, tx.session)
            principal.require_role("staff", "operator", "partner")
            principal.require_hub(asset.hub_id)
            if asset.status != "active":
                raise Conflict("this equipment is not being lent")
            assert asset.equipment is not None
            if asset.equipment.condition == "broken":
                raise Conflict("this equipment is broken; it cannot be lent until it is repaired")
            if borrower_kind == "volunteer":
                status = await self.volunteers.status_of(borrower_id, tx.session)
                if status not in loan_rules.VOLUNTEER_MAY_BORROW:
                    raise RuleViolation(
                        f"{borrower_id!r} is not an approved or active volunteer"
                        + (f" (status {status})" if status else " known to this hub"),
                        errors=[{"field": "borrower_id", "message": "not an approved or active volunteer"}],
                    )
            now = self.clock()
            loan_rules.check_loan_dates(starts_at, due_at, now, asset.equipment.max_loan_days)
            others = await self.loans.active_for(asset_id, tx.session)
            loan_rules.check_available(asset.equipment.quantity, others, starts_at, due_at, quantity, now)
            loan = Loan(
                id=_new_id(),
                asset_id=asset_id,
                hub_id=asset.hub_id,
                borrower_kind=borrower_kind,
                borrower_id=borrower_id,
                quantity=quantity,
                starts_at=starts_at,
                due_at=due_at,
                created_at=now,
                updated_at=now,
            )
            await self.loans.insert(loan, tx.session)
            tx.publish(self._loan_event(LoanReserved, loan, asset), subject=loan.id, hub_id=loan.hub_id)
            if borrower_kind != "organisation":
                self._publish_contact(tx, borrower_id, contact, asset.hub_id)
            return loan

        return _result(Loan, await self.uow.run(work, idempotency=idempotency, serialize=_json))

    async def _change_loan(
        self,
        principal: Principal,
        loan_id: str,
        change: Callable[[Loan, datetime], Loan],
        event: type[LoanEvent],
        expected_version: int | None,
        condition: Condition | None = None,
    ) -> Loan:
        async def work(tx: Transaction) -> Loan:
            current = await self.loans.get(loan_id, tx.session)
            self.require_staff_or_partner_of(principal, current.hub_id)
            check_version(expected_version, current.version)
            now = self.clock()
            loan = change(current, now)
            if not await self.loans.replace(loan, current.version, tx.session):
                raise PreconditionFailed("the loan changed meanwhile; read it again")
            asset = await self.assets.find(loan.asset_id, tx.session)
            tx.publish(self._loan_event(event, loan, asset, condition), subject=loan.id, hub_id=loan.hub_id)
            if event is LoanReturned and asset is not None and condition is not None:
                await self._record_condition(asset, condition, now, tx)
            return loan

        return await self.uow.run(work)

    @staticmethod
    def require_staff_or_partner_of(principal: Principal, hub_id: str) -> None:
        principal.require_role("staff", "operator", "partner")
        principal.require_hub(hub_id)

    async def _record_condition(self, asset: Asset, condition: Condition, now: datetime, tx: Transaction) -> None:
        assert asset.equipment is not None
        equipment = asset.equipment.model_copy(update={"condition": condition})
        changed = asset.model_copy(update={"equipment": equipment, "version": asset.version + 1, "updated_at": now})
        await self._save_asset(changed, asset.version, tx)
        if loan_rules.needs_maintenance(condition):
            record = MaintenanceRecord(
                id=_new_id(),
                asset_id=asset.id,
                hub_id=asset.hub_id,
                source="check_in",
                summary=f"returned in {condition} condition",
                opened_at=now,
            )
            await self.maintenance.insert(record, tx.session)
            tx.publish(self._maintenance_event(MaintenanceOpened, record, asset), subject=asset.id, hub_id=asset.hub_id)

    async def check_out(
        self, principal: Principal, loan_id: str, condition: Condition, expected_version: int | None = None
    ) -> Loan:
        return await self._change_loan(
            principal,
            loan_id,
            lambda loan, now: loan_rules.check_out(loan, now, condition),
            LoanCheckedOut,
            expected_version,
            condition,
        )

    async def check_in(
        self, principal: Principal, loan_id: str, condition: Condition, expected_version: int | None = None
    ) -> Loan:
        return await self._change_loan(
            principal,
            loan_id,
            lambda loan, now: loan_rules.check_in(loan, now, condition),
            LoanReturned,
            expected_version,
            condition,
        )

    async def cancel_loan(self, principal: Principal, loan_id: str, expected_version: int | None = None) -> Loan:
        return await self._change_loan(
            principal,
            loan_id,
            lambda loan, now: loan_rules.transition(loan, "cancelled", now),
            LoanCancelled,
            expected_version,
        )

    async def detect_overdue(self) -> int:
        """Mark checked-out loans past due as overdue, announcing each once; the worker runs this periodically."""
        count = 0
        now = self.clock()
        for candidate in await self.loans.overdue_candidates(now):

            async def work(tx: Transaction, loan_id: str = candidate.id) -> bool:
                loan = await self.loans.get(loan_id, tx.session)
                if not loan_rules.overdue(loan, now):
                    return False
                marked = loan.model_copy(update={"overdue_since": now, "version": loan.version + 1, "updated_at": now})
                await self.loans.replace(marked, loan.version, tx.session)
                asset = await self.assets.find(loan.asset_id, tx.session)
                tx.publish(self._loan_event(LoanOverdue, marked, asset), subject=loan.id, hub_id=loan.hub_id)
                return True

            if await self.uow.run(work):
                count += 1
        return count

    # --- maintenance --------------------------------------------------------------------------

    @staticmethod
    def _maintenance_event(cls: type[MaintenanceEvent], record: MaintenanceRecord, asset: Asset) -> MaintenanceEvent:
        return cls(
            maintenance_id=record.id,
            asset_id=record.asset_id,
            hub_id=record.hub_id,
            status=record.status,
            source=record.source,
            summary=record.summary[:500],
            issue_id=record.issue_id,
            opened_at=record.opened_at,
            completed_at=record.completed_at,
            location=asset.location,
        )

    async def open_maintenance_from_issue(self, issue: IssueReported, tx: Transaction) -> MaintenanceRecord | None:
        """In the consumer's transaction: an issue reported against one of our assets opens maintenance on it."""
        if issue.asset_id is None:
            return None
        record_id = maintenance_rules.issue_record_id(issue.issue_id)
        if await self.maintenance.exists(record_id, tx.session):
            return None
        asset = await self.assets.find(issue.asset_id, tx.session)
        if asset is None:
            log.warning("issue reported against an unknown asset", issue_id=issue.issue_id, asset_id=issue.asset_id)
            return None
        summary = f"{issue.service_name}: {issue.description}".strip()[:500]
        record = MaintenanceRecord(
            id=record_id,
            asset_id=asset.id,
            hub_id=asset.hub_id,
            source="issue",
            summary=summary,
            issue_id=issue.issue_id,
            opened_at=self.clock(),
        )
        await self.maintenance.insert(record, tx.session)
        tx.publish(self._maintenance_event(MaintenanceOpened, record, asset), subject=asset.id, hub_id=asset.hub_id)
        return record

    async def open_maintenance(self, principal: Principal, asset_id: str, summary: str) -> MaintenanceRecord:
        async def work(tx: Transaction) -> MaintenanceRecord:
            asset = await self.assets.get(asset_id, tx.session)
            self.require_staff_of(principal, asset.hub_id)
            record = MaintenanceRecord(
                id=_new_id(),
                asset_id=asset.id,
                hub_id=asset.hub_id,
                source="staff",
                summary=summary,
                opened_at=self.clock(),
            )
            await self.maintenance.insert(record, tx.session)
            tx.publish(self._maintenance_event(MaintenanceOpened, record, asset), subject=asset.id, hub_id=asset.hub_id)
            return record

        return await self.uow.run(work)

    async def complete_maintenance(
        self, principal: Principal, record_id: str, notes: str, expected_version: int | None
    ) -> MaintenanceRecord:
        async def work(tx: Transaction) -> MaintenanceRecord:
            current = await self.maintenance.get(record_id, tx.session)
            self.require_staff_of(principal, current.hub_id)
            check_version(expected_version, current.version)
            record = maintenance_rules.complete(current, self.clock(), notes)
            await self.maintenance.replace(record, current.version, tx.session)
            asset = await self.assets.get(record.asset_id, tx.session)
            if record.source == "inspection" and asset.equipment is not None:
                inspected = asset.equipment.model_copy(update={"last_inspected_at": record.completed_at})
                changed = asset.model_copy(
                    update={"equipment": inspected, "version": asset.version + 1, "updated_at": record.completed_at}
                )
                await self._save_asset(changed, asset.version, tx)
            tx.publish(
                self._maintenance_event(MaintenanceCompleted, record, asset), subject=asset.id, hub_id=asset.hub_id
            )
            return record

        return await self.uow.run(work)

    # --- assets of community value --------------------------------------------------------------

    @staticmethod
    def _acv_fields(nomination: Nomination, asset: Asset | None) -> dict[str, Any]:
        return {
            "acv_id": nomination.id,
            "asset_id": nomination.asset_id,
            "hub_id": nomination.hub_id,
            "status": nomination.status,
            "nominated_by": nomination.nominated_by,
            "nominated_on": nomination.nominated_on,
            "decision_due_on": nomination.decision_due_on,
            "decided_on": nomination.decided_on,
            "listed_on": nomination.listed_on,
            "expires_on": nomination.expires_on,
            "review_deadline_on": nomination.review_deadline_on,
            "location": asset.location if asset else None,
        }

    def _acv_event(self, cls: type[AcvEvent], nomination: Nomination, asset: Asset | None) -> AcvEvent:
        return cls(**self._acv_fields(nomination, asset))

    def _moratorium_event(
        self, cls: type[AcvMoratoriumEvent], nomination: Nomination, asset: Asset | None
    ) -> AcvMoratoriumEvent:
        current = nomination.current_moratorium
        assert current is not None
        return cls(
            **self._acv_fields(nomination, asset),
            phase="full" if current.full_ends_on else "interim",
            notice_received_on=current.notice_received_on,
            ends_on=current.ends_on,
            protected_until=current.protected_until,
            community_request_on=current.community_request_on,
        )

    def today(self) -> date:
        return self.clock().astimezone(booking_rules.HUB_TIMEZONE).date()

    async def nominate_acv(
        self,
        principal: Principal,
        *,
        asset_id: str,
        nominated_by: str,
        reason: str,
        nominated_on: date | None = None,
        idempotency: IdempotentRequest | None = None,
    ) -> Nomination:
        """A community group (an organisation on the map) nominates a building or space."""

        async def work(tx: Transaction) -> Nomination:
            asset = await self.assets.get(asset_id, tx.session)
            group = await self.assets.find(nominated_by, tx.session)
            if group is None or group.kind != "organisation" or group.status != "active":
                raise RuleViolation("nominated_by must be a community group (an organisation) on the map")
            if asset.kind not in ("space", "room") or asset.status != "active":
                raise RuleViolation("only a building, space or land on the map can be an asset of community value")
            if group.hub_id != asset.hub_id:
                raise RuleViolation("the group and the asset belong to the same hub")
            group_account = principal.role == "partner" and group.owner_id == principal.sub
            if not (self.is_staff_of(principal, asset.hub_id) or group_account):
                raise Forbidden("a group nominates through the partner account that keeps its entry, or hub staff")
            await lock_asset(self.db, f"acv:{asset_id}", tx.session)
            if await self.acv.open_for_asset(asset_id, tx.session) is not None:
                raise Conflict("this asset is already nominated or listed")
            on = nominated_on or self.today()
            if on > self.today():
                raise RuleViolation("a nomination cannot be dated in the future")
            nomination = acv_rules.nominate(
                _new_id(), asset_id=asset_id, hub_id=asset.hub_id, nominated_by=nominated_by, reason=reason, on=on
            )
            await self.acv.insert(nomination, tx.session)
            tx.publish(self._acv_event(AcvNominated, nomination, asset), subject=nomination.id, hub_id=asset.hub_id)
            return nomination

        return _result(Nomination, await self.uow.run(work, idempotency=idempotency, serialize=_json))

    async def _change_acv(
        self,
        principal: Principal,
        nomination_id: str,
        change: Callable[[Nomination], Nomination],
        events: Callable[[Nomination], list[AcvEvent]],
        expected_version: int | None,
    ) -> Nomination:
        async def work(tx: Transaction) -> Nomination:
            current = await self.acv.get(nomination_id, tx.session)
            self.require_staff_of(principal, current.hub_id)
            check_version(expected_version, current.version)
            nomination = change(current)
            if not await self.acv.replace(nomination, current.version, tx.session):
                raise PreconditionFailed("the entry changed meanwhile; read it again")
            for event in events(nomination):
                tx.publish(event, subject=nomination.id, hub_id=nomination.hub_id)
            return nomination

        return await self.uow.run(work)

    async def decide_acv(
        self,
        principal: Principal,
        nomination_id: str,
        *,
        listed: bool,
        decided_on: date | None,
        reason: str | None,
        expected_version: int | None = None,
    ) -> Nomination:
        on = decided_on or self.today()
        if on > self.today():
            raise RuleViolation("a decision cannot be dated in the future")
        asset = await self._acv_asset(nomination_id)
        return await self._change_acv(
            principal,
            nomination_id,
            lambda n: acv_rules.decide(n, listed=listed, on=on, reason=reason),
            lambda n: [self._acv_event(AcvListed if listed else AcvNotListed, n, asset)],
            expected_version,
        )

    async def _acv_asset(self, nomination_id: str) -> Asset | None:
        return await self.assets.find((await self.acv.get(nomination_id)).asset_id)

    async def notice_of_disposal(
        self, principal: Principal, nomination_id: str, received_on: date, expected_version: int | None = None
    ) -> Nomination:
        asset = await self._acv_asset(nomination_id)
        return await self._change_acv(
            principal,
            nomination_id,
            lambda n: acv_rules.notice_of_disposal(n, received_on),
            lambda n: [self._moratorium_event(AcvMoratoriumStarted, n, asset)],
            expected_version,
        )

    async def community_request(
        self, principal: Principal, nomination_id: str, request_on: date, expected_version: int | None = None
    ) -> Nomination:
        asset = await self._acv_asset(nomination_id)
        return await self._change_acv(
            principal,
            nomination_id,
            lambda n: acv_rules.community_request(n, request_on),
            lambda n: [self._moratorium_event(AcvMoratoriumStarted, n, asset)],
            expected_version,
        )

    async def advance_acv(self, today: date | None = None) -> int:
        """Announce ended moratoria and expired listings (the worker's daily sweep); returns changes made."""
        today = today or self.today()
        changed = 0
        for nomination_id in await self.acv.listed_ids():

            async def work(tx: Transaction, nomination_id: str = nomination_id) -> int:
                current = await self.acv.get(nomination_id, tx.session)
                due = acv_rules.due_changes(current, today)
                if not due:
                    return 0
                asset = await self.assets.find(current.asset_id, tx.session)
                nomination = current.model_copy(update={"version": current.version + 1})
                if "moratorium_ended" in due:
                    assert nomination.current_moratorium is not None
                    nomination = nomination.model_copy(
                        update={"announced_moratorium_end": nomination.current_moratorium.ends_on}
                    )
                    tx.publish(
                        self._moratorium_event(AcvMoratoriumEnded, nomination, asset),
                        subject=nomination.id,
                        hub_id=nomination.hub_id,
                    )
                if "expired" in due:
                    nomination = nomination.model_copy(update={"status": "expired"})
                    tx.publish(
                        self._acv_event(AcvExpired, nomination, asset), subject=nomination.id, hub_id=nomination.hub_id
                    )
                await self.acv.replace(nomination, current.version, tx.session)
                return len(due)

            changed += await self.uow.run(work)
        return changed

    async def detect_inspections_due(self) -> int:
        """Open an inspection record (and announce it) for each item whose inspection fell due; the worker runs this."""
        now = self.clock()
        opened = 0
        for asset in await self.assets.with_inspections():
            assert asset.equipment is not None
            due_at = maintenance_rules.inspection_due_at(
                asset.equipment.inspection_interval_days, asset.equipment.last_inspected_at, asset.created_at
            )
            if due_at is None or due_at > now:
                continue
            record_id = maintenance_rules.inspection_record_id(asset.id, due_at)

            async def work(tx: Transaction, asset: Asset = asset, record_id: str = record_id, due_at=due_at) -> bool:
                if await self.maintenance.exists(record_id, tx.session):
                    return False
                record = MaintenanceRecord(
                    id=record_id,
                    asset_id=asset.id,
                    hub_id=asset.hub_id,
                    source="inspection",
                    summary=f"inspection due on {due_at.date().isoformat()}",
                    opened_at=now,
                )
                await self.maintenance.insert(record, tx.session)
                tx.publish(
                    self._maintenance_event(MaintenanceDue, record, asset), subject=asset.id, hub_id=asset.hub_id
                )
                return True

            if await self.uow.run(work):
                opened += 1
        return opened

    # --- periodic work ------------------------------------------------------------------------

    async def complete_past_bookings(self, limit: int = 500) -> int:
        """Confirmed bookings that have ended become completed (each announced once)."""
        now = self.clock()
        done = 0
        for booking_id in await self.bookings.ended_confirmed(now, limit):

            async def work(tx: Transaction, booking_id: str = booking_id) -> bool:
                current = await self.bookings.get(booking_id, tx.session)
                if current.status != "confirmed" or current.ends_at > now:
                    return False
                booking = booking_rules.transition(current, "completed", now)
                await self.bookings.replace(booking, current.version, tx.session)
                room = await self.assets.find(booking.room_id, tx.session)
                tx.publish(
                    self._booking_event(BookingCompleted, booking, room), subject=booking.id, hub_id=booking.hub_id
                )
                return True

            if await self.uow.run(work):
                done += 1
        return done

    async def run_periodic_tasks(self) -> dict[str, int]:
        """Everything time alone brings about; the worker's scheduled job (idempotent, safe to repeat)."""
        return {
            "loans_overdue": await self.detect_overdue(),
            "inspections_due": await self.detect_inspections_due(),
            "bookings_completed": await self.complete_past_bookings(),
            "acv_changes": await self.advance_acv(),
        }

    # --- the right to be forgotten ------------------------------------------------------------

    async def forget_me(self, principal: Principal) -> int:
        """The signed-in person asks to be forgotten: notifications drops their contact details
        (BookerContactErased on hub.contacts) and the free text of their bookings is cleared.
        Bookings keep only the opaque booker id, which the room's history needs."""

        async def work(tx: Transaction) -> int:
            result = await self.bookings.collection.update_many(
                {"booker_id": principal.sub, "purpose": {"$ne": ""}},
                {"$set": {"purpose": ""}},
                session=tx.session,
            )
            tx.publish(BookerContactErased(person_id=principal.sub), subject=principal.sub)
            return result.modified_count

        return await self.uow.run(work)


def _new_booking(
    room: Asset,
    principal: Principal,
    organisation_id: str | None,
    purpose: str,
    attendees: int | None,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    series_id: str | None = None,
) -> Booking:
    """A booking request for ``room`` by ``principal``: confirmed at once unless the room needs approval."""
    return Booking(
        id=_new_id(),
        room_id=room.id,
        hub_id=room.hub_id,
        booker_id=principal.sub,
        booker_role=principal.role,
        organisation_id=organisation_id,
        purpose=purpose,
        attendees=attendees,
        starts_at=starts_at,
        ends_at=ends_at,
        status=booking_rules.initial_status(room.room.policy, principal.role),
        series_id=series_id,
        created_at=now,
        updated_at=now,
    )

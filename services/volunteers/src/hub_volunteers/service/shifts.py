"""Shifts of published roles: create, change, publish a suggested one, cancel; and the shift an
issue report suggests for staff to review."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, tzinfo

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.issues import IssueReported
from hub_common.contracts.volunteers import ShiftCancelled, ShiftPublished, ShiftUpdated
from hub_common.errors import Conflict, RuleViolation, Unauthorized
from hub_common.http import PageQuery
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_volunteers.adapters.roles import RoleRepository
from hub_volunteers.adapters.shifts import ShiftRepository
from hub_volunteers.adapters.signups import SignupRepository
from hub_volunteers.adapters.venues import EquipmentRepository, VenueRepository
from hub_volunteers.domain.shifts import Shift, check_place, check_shift_times, suggested_slot
from hub_volunteers.domain.venues import EQUIPMENT_KIND, VENUE_KINDS
from hub_volunteers.service import commands as cmd
from hub_volunteers.service.common import new_id
from hub_volunteers.service.events import shift_snapshot
from hub_volunteers.service.signups import RACED, SignupService


class ShiftService:
    def __init__(
        self,
        uow: UnitOfWork,
        shifts: ShiftRepository,
        roles: RoleRepository,
        signups: SignupRepository,
        venues: VenueRepository,
        equipment: EquipmentRepository,
        waitlist: SignupService,
        *,
        clock: Clock,
        tz: tzinfo,
    ) -> None:
        self.uow = uow
        self.shifts = shifts
        self.roles = roles
        self.signups = signups
        self.venues = venues
        self.equipment = equipment
        self.waitlist = waitlist  # promotes waitlisted volunteers when capacity grows
        self.clock = clock
        self.tz = tz  # the hubs' local time zone (suggested shift times)

    async def create(
        self, caller: Principal, body: cmd.CreateShift, idempotency: IdempotentRequest | None = None
    ) -> Shift:
        at = self.clock()
        check_shift_times(body.starts_at, body.ends_at, at)
        check_place(body.venue_id, body.address)

        async def work(tx: Transaction) -> Shift:
            role = await self.roles.get(body.role_id, tx.session)
            caller.require_staff_for(role.hub_id)
            if role.status != "published":
                raise Conflict("publish the role (with its full description) before adding shifts")
            await self._check_venue(body.venue_id, role.hub_id, tx)
            await self._check_equipment(body.equipment_ids, role.hub_id, tx)
            shift = Shift(
                id=new_id("shift"),
                hub_id=role.hub_id,
                role_id=role.id,
                starts_at=body.starts_at.astimezone(UTC),
                ends_at=body.ends_at.astimezone(UTC),
                venue_id=body.venue_id,
                address=body.address,
                capacity=body.capacity,
                equipment_ids=body.equipment_ids,
                notes=body.notes,
                created_at=at,
                updated_at=at,
            )
            await self.shifts.add(shift, tx.session)
            tx.publish(ShiftPublished(**shift_snapshot(shift)), subject=shift.id, hub_id=shift.hub_id)
            return shift

        return await self.uow.run(work, idempotency=idempotency, result_type=Shift)

    async def _check_venue(self, venue_id: str | None, hub_id: str, tx: Transaction) -> None:
        if venue_id is None:
            return
        venue = await self.venues.find(venue_id, tx.session)
        if venue is None or not venue.usable_for(hub_id, VENUE_KINDS):
            raise RuleViolation(
                f"{venue_id!r} is not an active room or space of hub {hub_id} on the asset map",
                errors=[{"field": "body.venue_id", "message": "unknown venue", "type": "value_error"}],
            )

    async def _check_equipment(self, equipment_ids: list[str], hub_id: str, tx: Transaction) -> None:
        found = await self.equipment.many(equipment_ids, tx.session)
        known = {e.id for e in found.values() if e.usable_for(hub_id, (EQUIPMENT_KIND,))}
        unknown = [e for e in equipment_ids if e not in known]
        if unknown:
            raise RuleViolation(
                f"not active equipment of hub {hub_id} on the asset map: {', '.join(unknown)}",
                errors=[
                    {"field": "body.equipment_ids", "message": f"unknown equipment {e}", "type": "value_error"}
                    for e in unknown
                ],
            )

    async def update(self, caller: Principal, shift_id: str, body: cmd.UpdateShift, expected: int | None) -> Shift:
        async def work(tx: Transaction) -> Shift:
            shift = await self.shifts.get(shift_id, tx.session)
            caller.require_staff_for(shift.hub_id)
            check_version(expected, shift.version)
            if shift.status == "cancelled":
                raise Conflict("the shift was cancelled")
            changes = body.model_dump(exclude_unset=True)
            if changes.get("venue_id"):
                changes["address"] = None
            elif changes.get("address"):
                changes["venue_id"] = None
            updated = Shift.model_validate({**shift.model_dump(), **changes})
            check_shift_times(updated.starts_at, updated.ends_at)
            check_place(updated.venue_id, updated.address)
            if updated.venue_id != shift.venue_id:
                await self._check_venue(updated.venue_id, shift.hub_id, tx)
            if set(updated.equipment_ids) - set(shift.equipment_ids):
                await self._check_equipment(updated.equipment_ids, shift.hub_id, tx)
            if updated.capacity < shift.confirmed:
                raise Conflict(
                    f"{shift.confirmed} volunteers are confirmed; cancel sign-ups before cutting capacity to "
                    f"{updated.capacity}"
                )
            updated.updated_at, updated.version = self.clock(), shift.version + 1
            promote = updated.promotions_after()
            await self._save(shift, updated, tx)
            if updated.status == "published":
                tx.publish(ShiftUpdated(**shift_snapshot(updated)), subject=updated.id, hub_id=updated.hub_id)
            if promote:
                await self.waitlist.promote(updated, promote, tx)
            if (updated.starts_at, updated.ends_at) != (shift.starts_at, shift.ends_at):
                await self.signups.move_times(shift.id, updated.starts_at, updated.ends_at, tx.session)
            return await self.shifts.get(shift_id, tx.session)

        return await self.uow.run(work)

    async def _save(self, seen: Shift, updated: Shift, tx: Transaction) -> None:
        """Save the shift only if its counters are what we decided on (a concurrent writer aborts us)."""
        if not await self.shifts.replace_if_counters(seen, updated, tx.session):
            raise Conflict(RACED)

    async def publish(self, caller: Principal, shift_id: str, expected: int | None) -> Shift:
        """Staff publish a suggested shift (e.g. one suggested by an issue report) for sign-up."""

        async def work(tx: Transaction) -> Shift:
            shift = await self.shifts.get(shift_id, tx.session)
            caller.require_staff_for(shift.hub_id)
            check_version(expected, shift.version)
            if shift.status != "suggested":
                raise Conflict(f"only a suggested shift can be published (this one is {shift.status})")
            check_shift_times(shift.starts_at, shift.ends_at, self.clock())
            role = await self.roles.get(shift.role_id, tx.session)
            if role.status != "published":
                raise Conflict("publish the role before its shifts")
            updated = shift.model_copy(
                update={"status": "published", "updated_at": self.clock(), "version": shift.version + 1}
            )
            await self._save(shift, updated, tx)
            tx.publish(ShiftPublished(**shift_snapshot(updated)), subject=updated.id, hub_id=updated.hub_id)
            return updated

        return await self.uow.run(work)

    async def cancel(self, caller: Principal, shift_id: str, body: cmd.CancelShift) -> Shift:
        async def work(tx: Transaction) -> Shift:
            shift = await self.shifts.get(shift_id, tx.session)
            caller.require_staff_for(shift.hub_id)
            if shift.status == "cancelled":
                raise Conflict("the shift is already cancelled")
            volunteer_ids = await self.signups.active_volunteer_ids(shift.id, tx.session)
            at = self.clock()
            await self.signups.cancel_all(shift.id, at, tx.session)
            updated = shift.model_copy(
                update={
                    "status": "cancelled",
                    "confirmed": 0,
                    "waitlisted": 0,
                    "updated_at": at,
                    "version": shift.version + 1,
                }
            )
            await self._save(shift, updated, tx)
            tx.publish(
                ShiftCancelled(shift_id=shift.id, hub_id=shift.hub_id, volunteer_ids=volunteer_ids, reason=body.reason),
                subject=shift.id,
                hub_id=shift.hub_id,
            )
            return updated

        return await self.uow.run(work)

    async def suggest_for_issue(self, issue: IssueReported, tx: Transaction) -> Shift | None:
        """A reported issue in a category a hub maps to a role suggests a shift for staff to publish."""
        role = await self.roles.first_for_issue_category(issue.hub_id, issue.service_code, tx.session)
        if role is None:
            return None
        starts_at, ends_at = suggested_slot(issue.requested_at, self.tz)
        place = issue.address or f"Near {issue.location.lat:.5f}, {issue.location.lon:.5f}"
        at = self.clock()
        shift = Shift(
            # Deterministic, so a redelivered report suggests nothing new.
            id="shift_sug_" + hashlib.sha256(f"{issue.issue_id}|{role.id}".encode()).hexdigest()[:16],
            hub_id=issue.hub_id,
            role_id=role.id,
            status="suggested",
            starts_at=starts_at,
            ends_at=ends_at,
            address=place,
            capacity=4,
            notes=f"Suggested by reported issue {issue.issue_id} ({issue.service_name}): {issue.description[:300]}",
            source_issue_id=issue.issue_id,
            created_at=at,
            updated_at=at,
        )
        return shift if await self.shifts.add_if_missing(shift, tx.session) else None

    # -- reading -----------------------------------------------------------------------------------

    async def get(self, shift_id: str) -> Shift:
        return await self.shifts.get(shift_id)

    async def in_hub(
        self, caller: Principal | None, hub_id: str, status: str, since: datetime | None, paging: PageQuery
    ) -> tuple[list[Shift], str | None]:
        """A hub's shifts of one status from ``since`` (default now) in time order; suggested ones
        are for staff to review."""
        if status == "suggested":
            if caller is None:
                raise Unauthorized("sign in as staff to see suggested shifts")
            caller.require_staff_for(hub_id)
        return await self.shifts.in_hub(hub_id, status, since or self.clock(), paging)

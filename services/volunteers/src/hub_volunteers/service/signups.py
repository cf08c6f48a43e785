"""Sign-ups to shifts: confirmed while places remain, else waitlisted; cancelling promotes from the
waitlist in queue order; check-in and check-out (which logs the attended time as hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub_common.audit import AccessAudit
from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contracts.volunteers import (
    CheckedIn,
    CheckedOut,
    SignupCancelled,
    SignupConfirmed,
    SignupPromoted,
    SignupWaitlisted,
)
from hub_common.errors import Conflict, Forbidden, RuleViolation
from hub_common.http import PageQuery
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_volunteers.adapters.hours import HoursRepository
from hub_volunteers.adapters.roles import RoleRepository
from hub_volunteers.adapters.shifts import ShiftRepository
from hub_volunteers.adapters.signups import SignupRepository
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.domain.hours import HoursEntry
from hub_volunteers.domain.shifts import Shift, Signup, SignupStatus, require_eligible
from hub_volunteers.service import commands as cmd
from hub_volunteers.service.common import acting_volunteer, new_id, require_self_or_staff
from hub_volunteers.service.events import hours_logged, signup_fields
from hub_volunteers.service.locks import KeyedLocks

CHECK_IN_SKEW = timedelta(minutes=5)
RACED = "the shift changed at the same moment; try again"


class SignupService:
    def __init__(
        self,
        uow: UnitOfWork,
        signups: SignupRepository,
        shifts: ShiftRepository,
        roles: RoleRepository,
        volunteers: VolunteerRepository,
        hours: HoursRepository,
        *,
        clock: Clock,
        audit: AccessAudit,
    ) -> None:
        self.uow = uow
        self.audit = audit  # staff are shown the names on a shift's roster
        self.signups = signups
        self.shifts = shifts
        self.roles = roles
        self.volunteers = volunteers
        self.hours = hours
        self.clock = clock
        # One per process: sign-ups and cancellations of one shift queue here (see KeyedLocks).
        self.shift_locks = KeyedLocks()

    async def sign_up(
        self, caller: Principal, shift_id: str, body: cmd.SignUp, idempotency: IdempotentRequest | None = None
    ) -> Signup:
        async def work(tx: Transaction) -> Signup:
            at = self.clock()
            shift = await self.shifts.claim(shift_id, at, tx.session)
            volunteer = await acting_volunteer(caller, body.volunteer_id, shift.hub_id, self.volunteers, tx.session)
            shift.check_open_for_signup(at)
            role = await self.roles.get(shift.role_id, tx.session)
            require_eligible(volunteer, role, shift)
            signup_id = f"{shift.id}:{volunteer.id}"
            existing = await self.signups.find(signup_id, tx.session)
            if existing is not None and existing.status != "cancelled":
                raise Conflict(f"already signed up to this shift ({existing.status})", signup_id=signup_id)
            clash = await self.signups.overlapping(volunteer.id, shift.starts_at, shift.ends_at, shift.id, tx.session)
            if clash is not None:
                raise Conflict("this overlaps another shift the volunteer is signed up to", shift_id=clash)
            place = shift.place_for_next_signup()
            signup = Signup(
                id=signup_id,
                shift_id=shift.id,
                volunteer_id=volunteer.id,
                hub_id=shift.hub_id,
                role_id=shift.role_id,
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                status=place,
                queued_at=at,
                signed_up_by=caller.sub,
                updated_at=at,
            )
            await self.signups.put(signup, tx.session)
            # Conditional on the counters the decision was made from, so never more than capacity
            # are confirmed (the claim above already makes concurrent sign-ups conflict and retry).
            if not await self.shifts.take_place(shift, place, tx.session):
                raise Conflict(RACED)
            if place == "confirmed":
                tx.publish(SignupConfirmed(**signup_fields(signup)), subject=signup.id, hub_id=shift.hub_id)
            else:
                tx.publish(
                    SignupWaitlisted(**signup_fields(signup), position=shift.waitlisted + 1),
                    subject=signup.id,
                    hub_id=shift.hub_id,
                )
            return signup

        async with self.shift_locks.hold(shift_id):
            return await self.uow.run(work, idempotency=idempotency, result_type=Signup)

    async def cancel(self, caller: Principal, shift_id: str, volunteer_id: str) -> Signup:
        async def work(tx: Transaction) -> Signup:
            shift = await self.shifts.claim(shift_id, self.clock(), tx.session)
            volunteer = await acting_volunteer(caller, volunteer_id, shift.hub_id, self.volunteers, tx.session)
            return await self.cancel_in(shift, volunteer.id, tx)

        async with self.shift_locks.hold(shift_id):
            return await self.uow.run(work)

    async def cancel_in(self, shift: Shift, volunteer_id: str, tx: Transaction) -> Signup:
        """Cancel the volunteer's sign-up to the shift in this transaction; a freed place goes to the waitlist."""
        signup = await self.signups.get(f"{shift.id}:{volunteer_id}", tx.session)
        if signup.status == "cancelled":
            raise Conflict("this sign-up is already cancelled")
        if signup.checked_in_at is not None:
            raise Conflict("the volunteer already checked in; check them out instead")
        was = signup.status
        signup.status, signup.updated_at = "cancelled", self.clock()
        await self.signups.put(signup, tx.session)
        if not await self.shifts.release_place(shift.id, was, tx.session):
            raise Conflict(RACED)
        tx.publish(SignupCancelled(**signup_fields(signup), was=was), subject=signup.id, hub_id=shift.hub_id)
        if was == "confirmed" and shift.status == "published":
            current = await self.shifts.get(shift.id, tx.session)
            promote = current.promotions_after()
            if promote:
                await self.promote(current, promote, tx)
        return signup

    async def promote(self, shift: Shift, count: int, tx: Transaction) -> None:
        """Move the first ``count`` waitlisted volunteers (in queue order) to confirmed."""
        for _ in range(count):
            signup = await self.signups.confirm_first_waitlisted(shift.id, self.clock(), tx.session)
            if signup is None:
                return
            if not await self.shifts.move_up_one(shift, tx.session):
                raise Conflict(RACED)
            signup.status = "confirmed"
            tx.publish(SignupPromoted(**signup_fields(signup)), subject=signup.id, hub_id=shift.hub_id)

    async def check_in(self, caller: Principal, shift_id: str, volunteer_id: str, body: cmd.Attendance) -> Signup:
        async def work(tx: Transaction) -> Signup:
            shift, signup, at = await self._attendance(caller, shift_id, volunteer_id, body, tx)
            signup.check_in(at, shift)
            signup.updated_at = self.clock()
            await self.signups.put(signup, tx.session)
            tx.publish(CheckedIn(**signup_fields(signup), at=at), subject=signup.id, hub_id=shift.hub_id)
            return signup

        return await self.uow.run(work)

    async def check_out(self, caller: Principal, shift_id: str, volunteer_id: str, body: cmd.Attendance) -> Signup:
        async def work(tx: Transaction) -> Signup:
            shift, signup, at = await self._attendance(caller, shift_id, volunteer_id, body, tx)
            minutes = signup.check_out(at)
            entry = None
            if minutes >= 1:
                entry = HoursEntry(
                    id=new_id("hrs"),
                    volunteer_id=signup.volunteer_id,
                    hub_id=shift.hub_id,
                    role_id=shift.role_id,
                    shift_id=shift.id,
                    minutes=min(minutes, 24 * 60),
                    worked_on=signup.checked_in_at.astimezone(UTC).date(),  # type: ignore[union-attr]
                    source="attendance",
                    logged_by=caller.sub,
                    created_at=self.clock(),
                )
                signup.hours_id = entry.id
                await self.hours.add(entry, tx.session)
            signup.updated_at = self.clock()
            await self.signups.put(signup, tx.session)
            tx.publish(
                CheckedOut(**signup_fields(signup), at=at, hours_id=signup.hours_id or "none", minutes=minutes),
                subject=signup.id,
                hub_id=shift.hub_id,
            )
            if entry is not None:
                tx.publish(hours_logged(entry), subject=signup.volunteer_id, hub_id=shift.hub_id)
            return signup

        return await self.uow.run(work)

    async def _attendance(
        self, caller: Principal, shift_id: str, volunteer_id: str, body: cmd.Attendance, tx: Transaction
    ) -> tuple[Shift, Signup, datetime]:
        """The shift, the sign-up of the volunteer the caller acts for, and when the attendance happened."""
        shift = await self.shifts.get(shift_id, tx.session)
        volunteer = await acting_volunteer(caller, volunteer_id, shift.hub_id, self.volunteers, tx.session)
        signup = await self.signups.get(f"{shift.id}:{volunteer.id}", tx.session)
        return shift, signup, self._attendance_time(caller, body)

    def _attendance_time(self, caller: Principal, body: cmd.Attendance) -> datetime:
        at = self.clock()
        if body.at is None:
            return at
        if not caller.is_staff:
            raise Forbidden("only staff can record attendance at another time")
        if body.at.tzinfo is None:
            raise RuleViolation("give the time with a time zone")
        if body.at > at + CHECK_IN_SKEW:
            raise RuleViolation("attendance cannot be recorded in the future")
        return body.at.astimezone(UTC)

    # -- lists ---------------------------------------------------------------------------------------

    async def roster(
        self, caller: Principal, shift_id: str, status: SignupStatus, paging: PageQuery
    ) -> tuple[list[tuple[Signup, str]], str | None]:
        """Staff: a shift's sign-ups of one status in queue order, each with the volunteer's name."""
        shift = await self.shifts.get(shift_id)
        caller.require_staff_for(shift.hub_id)
        signups, cursor = await self.signups.roster(shift_id, status, paging)
        ids = [s.volunteer_id for s in signups]
        names = await self.volunteers.names(ids)
        await self.audit.read(caller, kind="shift roster", record_ids=[shift.id], person_ids=ids, why=status)
        return [(s, names.get(s.volunteer_id, "")) for s in signups], cursor

    async def of_volunteer(
        self, caller: Principal, volunteer_id: str, since: datetime | None, paging: PageQuery
    ) -> tuple[list[Signup], str | None]:
        require_self_or_staff(caller, await self.volunteers.get(volunteer_id))
        return await self.signups.of_volunteer(volunteer_id, since, paging)

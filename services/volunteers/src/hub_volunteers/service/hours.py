"""Hours and recognition: logging, the approval queue, milestones (each awarded once), staff awards,
totals and the public recognition wall."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hub_common.audit import AccessAudit
from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contracts.volunteers import AwardGiven, HoursApproved, HoursRejected, MilestoneReached
from hub_common.errors import Conflict
from hub_common.http import PageQuery
from hub_common.insight import InsightScope, months
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_volunteers.adapters.awards import AwardRepository
from hub_volunteers.adapters.hours import GroupBy, HoursRepository
from hub_volunteers.adapters.roles import RoleRepository
from hub_volunteers.adapters.shifts import ShiftRepository
from hub_volunteers.adapters.signups import SignupRepository
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.domain.hours import (
    HoursEntry,
    HoursSource,
    HoursStatus,
    check_logged_hours,
    check_own_hours_for_shift,
    milestones_reached,
)
from hub_volunteers.domain.skills import Award, milestone_award
from hub_volunteers.domain.volunteers import Volunteer
from hub_volunteers.service import commands as cmd
from hub_volunteers.service.common import new_id, require_self_or_staff, save_volunteer
from hub_volunteers.service.events import hours_logged


class HoursService:
    def __init__(
        self,
        uow: UnitOfWork,
        hours: HoursRepository,
        awards: AwardRepository,
        volunteers: VolunteerRepository,
        shifts: ShiftRepository,
        roles: RoleRepository,
        signups: SignupRepository,
        *,
        clock: Clock,
        milestones: tuple[int, ...],
        audit: AccessAudit,
    ) -> None:
        self.uow = uow
        self.hours = hours
        self.awards = awards
        self.volunteers = volunteers
        self.shifts = shifts
        self.roles = roles
        self.signups = signups
        self.clock = clock
        self.milestones = milestones  # whole hours, lowest first
        self.audit = audit  # staff are shown the names in the approval queue

    # -- logging and approval ----------------------------------------------------------------------

    async def log(
        self, caller: Principal, volunteer_id: str, body: cmd.LogHours, idempotency: IdempotentRequest | None = None
    ) -> HoursEntry:
        async def work(tx: Transaction) -> HoursEntry:
            v = await self.volunteers.get(volunteer_id, tx.session)
            require_self_or_staff(caller, v)
            source: HoursSource = "staff" if caller.is_staff else "volunteer"
            if source == "volunteer" and body.shift_id:
                await self._check_own_shift(v, body.shift_id, tx)
            return await self.log_in(v, body, source=source, by=caller.sub, tx=tx)

        return await self.uow.run(work, idempotency=idempotency, result_type=HoursEntry)

    async def _check_own_shift(self, v: Volunteer, shift_id: str, tx: Transaction) -> None:
        """Staff may log hours for anyone who turned up; a volunteer only for a shift they were on."""
        shift = await self.shifts.get(shift_id, tx.session)
        signup = await self.signups.find(f"{shift.id}:{v.id}", tx.session)
        check_own_hours_for_shift(
            signed_up=signup is not None and signup.status == "confirmed",
            shift_started=shift.starts_at <= self.clock(),
            already_logged=(signup is not None and signup.hours_id is not None)
            or await self.hours.logged_for_shift(v.id, shift.id, tx.session),
        )

    async def log_in(
        self,
        v: Volunteer,
        body: cmd.LogHours,
        *,
        source: HoursSource,
        by: str,
        tx: Transaction,
        partner_ref: str | None = None,
    ) -> HoursEntry:
        """Log hours for the volunteer in this transaction (also for partners' submissions)."""
        if v.erased_at is not None or v.status == "archived":
            raise Conflict(f"hours cannot be logged for a volunteer who is {v.status}")
        minutes = round(body.hours * 60)
        check_logged_hours(minutes, body.worked_on, self.clock().date())
        role_id = body.role_id
        if body.shift_id:
            shift = await self.shifts.get(body.shift_id, tx.session)
            role_id = role_id or shift.role_id
        if role_id:
            await self.roles.get(role_id, tx.session)
        entry = HoursEntry(
            id=new_id("hrs"),
            volunteer_id=v.id,
            hub_id=v.hub_id,
            role_id=role_id,
            shift_id=body.shift_id,
            minutes=minutes,
            worked_on=body.worked_on,
            note=body.note,
            source=source,
            logged_by=by,
            partner_ref=partner_ref,
            created_at=self.clock(),
        )
        await self.hours.add(entry, tx.session)
        tx.publish(hours_logged(entry), subject=v.id, hub_id=v.hub_id)
        return entry

    async def approve(self, caller: Principal, hours_id: str) -> HoursEntry:
        async def work(tx: Transaction) -> HoursEntry:
            entry = await self.hours.get(hours_id, tx.session)
            caller.require_staff_for(entry.hub_id)
            volunteer = await self.volunteers.get(entry.volunteer_id, tx.session)
            at = self.clock()
            entry.approve(caller.sub, at)
            await self.hours.put(entry, tx.session)
            await self._credit(entry, volunteer, at, tx)
            return entry

        return await self.uow.run(work)

    async def _credit(self, entry: HoursEntry, v: Volunteer, at: datetime, tx: Transaction) -> None:
        """Add approved minutes to the volunteer's total and award each newly reached milestone once."""
        v.approved_minutes += entry.minutes
        reached = milestones_reached(v.approved_minutes, self.milestones, v.milestones)
        v.milestones = sorted({*v.milestones, *reached})
        v.updated_at = at
        await save_volunteer(self.volunteers, v, v.version, tx.session)
        tx.publish(
            HoursApproved(
                hours_id=entry.id,
                volunteer_id=v.id,
                hub_id=entry.hub_id,
                minutes=entry.minutes,
                total_approved_minutes=v.approved_minutes,
            ),
            subject=v.id,
            hub_id=entry.hub_id,
        )
        for hours in reached:
            # The award id is deterministic: a second award of one milestone would be a duplicate key.
            award = milestone_award(f"{v.id}:milestone:{hours}", v.id, v.hub_id, hours, at)
            await self.awards.add(award, tx.session, shown_as=_wall_name(v, public=True))
            tx.publish(
                MilestoneReached(
                    award_id=award.id,
                    volunteer_id=v.id,
                    hub_id=v.hub_id,
                    milestone_hours=hours,
                    total_hours=round(v.approved_minutes / 60, 2),
                    reached_at=at,
                ),
                subject=v.id,
                hub_id=v.hub_id,
            )

    async def reject(self, caller: Principal, hours_id: str, body: cmd.Decision) -> HoursEntry:
        async def work(tx: Transaction) -> HoursEntry:
            entry = await self.hours.get(hours_id, tx.session)
            caller.require_staff_for(entry.hub_id)
            entry.reject(caller.sub, self.clock(), body.reason)
            await self.hours.put(entry, tx.session)
            tx.publish(
                HoursRejected(
                    hours_id=entry.id, volunteer_id=entry.volunteer_id, hub_id=entry.hub_id, reason=body.reason
                ),
                subject=entry.volunteer_id,
                hub_id=entry.hub_id,
            )
            return entry

        return await self.uow.run(work)

    # -- awards ------------------------------------------------------------------------------------

    async def give_award(
        self, caller: Principal, volunteer_id: str, body: cmd.GiveAward, idempotency: IdempotentRequest | None = None
    ) -> Award:
        async def work(tx: Transaction) -> Award:
            v = await self.volunteers.get(volunteer_id, tx.session)
            caller.require_staff_for(v.hub_id)
            if v.erased_at is not None:
                raise Conflict("this volunteer's record was erased")
            at = self.clock()
            award = Award(
                id=new_id("awd"),
                volunteer_id=v.id,
                hub_id=v.hub_id,
                kind="staff",
                title=body.title,
                citation=body.citation,
                period=body.period,
                given_by=caller.sub,
                given_at=at,
            )
            await self.awards.add(award, tx.session, shown_as=_wall_name(v, public=body.public))
            tx.publish(
                AwardGiven(
                    award_id=award.id,
                    volunteer_id=v.id,
                    hub_id=v.hub_id,
                    title=award.title,
                    citation=body.citation,
                    period=body.period,
                    given_at=at,
                ),
                subject=v.id,
                hub_id=v.hub_id,
            )
            return award

        return await self.uow.run(work, idempotency=idempotency, result_type=Award)

    # -- reading -----------------------------------------------------------------------------------

    async def totals(self, caller: Principal, volunteer_id: str) -> dict[str, Any]:
        """Approved and pending hours, approved hours by role, milestones reached and the next one."""
        volunteer = await self.volunteers.get(volunteer_id)
        require_self_or_staff(caller, volunteer)
        by_status: dict[str, int] = {}
        by_role: dict[str, int] = {}
        for status, role, minutes in await self.hours.minutes_by_status_and_role(volunteer.id):
            by_status[status] = by_status.get(status, 0) + minutes
            if status == "approved":
                by_role[role or "unspecified"] = by_role.get(role or "unspecified", 0) + minutes
        return {
            "volunteer_id": volunteer.id,
            "approved_hours": round(volunteer.approved_minutes / 60, 2),
            "pending_hours": round(by_status.get("pending", 0) / 60, 2),
            "by_role": [{"role_id": r, "hours": round(m / 60, 2)} for r, m in sorted(by_role.items())],
            "milestones": volunteer.milestones,
            "next_milestone": next((m for m in self.milestones if m not in volunteer.milestones), None),
        }

    async def hub_totals(
        self, caller: Principal, hub_id: str, start: date | None, end: date | None, group_by: GroupBy
    ) -> list[dict[str, Any]]:
        caller.require_staff_for(hub_id)
        return [
            {"key": key, "hours": round(minutes / 60, 2), "entries": entries}
            for key, minutes, entries in await self.hours.approved_in_hub(hub_id, start, end, group_by)
        ]

    async def insight(self, scope: InsightScope) -> dict[str, Any]:
        """Staff insight: the hubs' approved hours per month of the period (zero where none); the
        scope is checked already (staff of each hub)."""
        per_month = await self.hours.approved_per_month(scope)
        rows = [(month, *per_month.get(month, (0, 0))) for month in months(scope)]
        return {
            **scope.body(),
            "monthly": [{"month": m, "hours": round(minutes / 60, 2), "entries": n} for m, minutes, n in rows],
        }

    async def of_volunteer(
        self, caller: Principal, volunteer_id: str, paging: PageQuery
    ) -> tuple[list[HoursEntry], str | None]:
        require_self_or_staff(caller, await self.volunteers.get(volunteer_id))
        return await self.hours.of_volunteer(volunteer_id, paging)

    async def queue(
        self, caller: Principal, hub_id: str, status: HoursStatus, paging: PageQuery
    ) -> tuple[list[tuple[HoursEntry, str]], str | None]:
        """Staff: a hub's hours of one status, oldest first, each with the volunteer's name (staff
        approve hours of people they know, not of opaque ids, so the names are a read on record)."""
        caller.require_staff_for(hub_id)
        entries, cursor = await self.hours.queue(hub_id, status, paging)
        ids = sorted({e.volunteer_id for e in entries})
        names = await self.volunteers.names(ids)
        await self.audit.read(
            caller, kind="hours queue", record_ids=[e.id for e in entries], person_ids=ids, why=status
        )
        return [(e, names.get(e.volunteer_id, "")) for e in entries], cursor

    async def awards_of(
        self, caller: Principal, volunteer_id: str, paging: PageQuery
    ) -> tuple[list[Award], str | None]:
        require_self_or_staff(caller, await self.volunteers.get(volunteer_id))
        return await self.awards.of_volunteer(volunteer_id, paging)

    async def wall(self, hub_id: str, paging: PageQuery) -> tuple[list[dict[str, Any]], str | None]:
        """The hub's public recognition wall (volunteers who opted in, first name only)."""
        return await self.awards.wall(hub_id, paging)


def _wall_name(v: Volunteer, *, public: bool) -> str | None:
    """The first name an award shows on the public wall, or None when it stays off it."""
    shown = public and v.recognition_opt_in and v.erased_at is None
    return v.name.split()[0] if shown else None

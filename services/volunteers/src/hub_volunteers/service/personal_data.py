"""A volunteer's data rights: an export of everything held about them, and erasure (the record is
anonymised; ids, hour totals and milestones stay). Asked by the volunteer or their hub's staff, by a
privacy request (hub.privacy) for every id a person is known by, or by the retention schedule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hub_common.audit import AccessAudit
from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contracts.contacts import VolunteerContactErased
from hub_common.contracts.privacy import HeldData
from hub_common.contracts.volunteers import VolunteerErased, VolunteerErasureScheduled
from hub_common.privacy import held
from hub_common.repository import Session
from hub_common.uow import Transaction, UnitOfWork
from hub_volunteers.adapters.awards import AwardRepository
from hub_volunteers.adapters.hours import HoursRepository
from hub_volunteers.adapters.shifts import ShiftRepository
from hub_volunteers.adapters.signups import SignupRepository
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.domain.volunteers import Volunteer
from hub_volunteers.service.common import require_self_or_staff, save_volunteer
from hub_volunteers.service.signups import SignupService


class PersonalDataService:
    def __init__(
        self,
        uow: UnitOfWork,
        volunteers: VolunteerRepository,
        signups: SignupRepository,
        hours: HoursRepository,
        awards: AwardRepository,
        shifts: ShiftRepository,
        places: SignupService,
        *,
        clock: Clock,
        audit: AccessAudit,
        inactive_notice: timedelta = timedelta(days=30),
    ) -> None:
        self.uow = uow
        self.volunteers = volunteers
        self.signups = signups
        self.hours = hours
        self.awards = awards
        self.shifts = shifts
        self.places = places  # gives up the volunteer's future places (waitlists move up)
        self.clock = clock
        self.audit = audit
        self.notice = inactive_notice  # how long an inactive volunteer is told before erasure

    async def export(self, caller: Principal, volunteer_id: str) -> dict[str, Any]:
        v = await self.volunteers.get(volunteer_id)
        require_self_or_staff(caller, v)
        if caller.sub != v.sub:
            await self.audit.read(caller, kind="volunteer export", record_ids=[v.id], person_ids=[v.id], why="export")
        return await self._export(v, show_calendar_token=caller.sub == v.sub)

    async def _export(self, v: Volunteer, *, show_calendar_token: bool, session: Session = None) -> dict[str, Any]:
        mine = {"volunteer_id": v.id}
        # The calendar link is a secret only its owner sees (a staff member exporting it could use it).
        shown = v if show_calendar_token else v.model_copy(update={"calendar_token": None})
        return {
            "volunteer": shown.model_dump(mode="json"),
            "signups": await self.signups.stored(mine, session),
            "hours": await self.hours.stored(mine, session),
            "awards": await self.awards.stored(mine, session),
            "exported_at": self.clock().isoformat(),
        }

    # -- a privacy request (hub.privacy): the person's ids are volunteer ids here -------------------

    async def erase_people(self, person_ids: list[str], tx: Transaction) -> list[HeldData]:
        found = (await self.volunteers.many(person_ids, tx.session)).values()
        live = [v for v in found if v.erased_at is None]
        for v in live:
            await self._erase(v, tx)
        return held(
            "volunteer records (name, contact details, date of birth, emergency contact, checks, consents)",
            len(live),
            "erased; hour totals and milestones stay under an anonymous id",
        )

    async def export_people(self, person_ids: list[str], tx: Transaction) -> tuple[list[HeldData], dict[str, Any]]:
        found = [v for v in (await self.volunteers.many(person_ids, tx.session)).values() if v.erased_at is None]
        records = [await self._export(v, show_calendar_token=False, session=tx.session) for v in found]
        receipt = [
            *held("volunteer records", len(records), "exported"),
            *held("shift sign-ups", sum(len(r["signups"]) for r in records), "exported"),
            *held("hours logged", sum(len(r["hours"]) for r in records), "exported"),
            *held("awards", sum(len(r["awards"]) for r in records), "exported"),
        ]
        return receipt, {"volunteers": records}

    async def erase(self, caller: Principal, volunteer_id: str) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.volunteers.get(volunteer_id, tx.session)
            require_self_or_staff(caller, v)
            return await self._erase(v, tx)

        return await self.uow.run(work)

    async def erase_closed_applications(self, cutoff: datetime) -> int:
        """Retention: applications closed (archived, never approved) before ``cutoff`` are erased."""
        return await self.erase_archived(cutoff, applications=True)

    async def erase_archived(self, cutoff: datetime, *, applications: bool = False) -> int:
        """Retention: erase the records archived before ``cutoff`` (people who left, applications
        that were closed), exactly as an erasure they asked for would; returns how many."""
        erased = 0
        while ids := await self.volunteers.archived_before(cutoff, applications=applications):
            for volunteer_id in ids:

                async def work(tx: Transaction, volunteer_id: str = volunteer_id) -> bool:
                    v = await self.volunteers.get(volunteer_id, tx.session)
                    if v.erased_at is not None:  # another worker's run got here first
                        return False
                    await self._erase(v, tx)
                    return True

                erased += await self.uow.run(work)
        return erased

    async def notify_inactive(self, unchanged_since: datetime) -> int:
        """Retention, first step: inactive records unchanged since ``unchanged_since`` are told (email and
        inbox, through notifications) that they will be erased after the notice period unless the
        record is used; returns how many were told. The notice itself leaves the last change as it was."""
        return await self._each_inactive(unchanged_since, noticed=False, act=self._give_notice)

    async def erase_unanswered(self, noticed_before: datetime) -> int:
        """Retention, second step: records told before ``noticed_before`` are erased, as if they had
        asked, unless the record changed since the notice (they came back, or their hub kept them):
        then the notice is withdrawn. Returns how many were erased."""
        return await self._each_inactive(noticed_before, noticed=True, act=self._erase_or_keep)

    async def _each_inactive(self, cutoff: datetime, *, noticed: bool, act) -> int:
        done = 0
        while found := await self.volunteers.inactive_before(cutoff, noticed=noticed):
            changed = 0
            for candidate in found:

                async def work(tx: Transaction, volunteer_id: str = candidate.id) -> tuple[bool, bool]:
                    v = await self.volunteers.get(volunteer_id, tx.session)
                    if v.status != "inactive" or v.erased_at is not None:
                        return False, False  # another worker's run, or a change, got here first
                    return await act(v, cutoff, tx)

                acted, counted = await self.uow.run(work)
                changed += acted
                done += counted
            if not changed:  # what is left changed under us meanwhile; the next run takes it
                break
        return done

    async def _give_notice(self, v: Volunteer, cutoff: datetime, tx: Transaction) -> tuple[bool, bool]:
        if v.erasure_notice_at is not None or v.updated_at >= cutoff:
            return False, False
        now, seen = self.clock(), v.version
        v.erasure_notice_at, v.version = now, seen + 1
        await save_volunteer(self.volunteers, v, seen, tx.session)
        erase_after = now + self.notice
        tx.publish(
            VolunteerErasureScheduled(volunteer_id=v.id, hub_id=v.hub_id, erase_after=erase_after),
            subject=v.id,
            hub_id=v.hub_id,
        )
        return True, True

    async def _erase_or_keep(self, v: Volunteer, cutoff: datetime, tx: Transaction) -> tuple[bool, bool]:
        if v.erasure_notice_at is None or v.erasure_notice_at >= cutoff:
            return False, False
        if v.updated_at > v.erasure_notice_at:  # used since the notice: kept, and told again some day
            seen = v.version
            v.erasure_notice_at, v.version = None, seen + 1
            await save_volunteer(self.volunteers, v, seen, tx.session)
            return True, False
        await self._erase(v, tx)
        return True, True

    async def _erase(self, v: Volunteer, tx: Transaction) -> Volunteer:
        at = self.clock()
        # Give up future places first, so waitlisted volunteers move up.
        for signup in await self.signups.active_after(v.id, at, tx.session):
            shift = await self.shifts.get(signup.shift_id, tx.session)
            if signup.checked_in_at is None:
                await self.places.cancel_in(shift, v.id, tx)
        seen = v.version
        account = v.sub  # erasing unlinks the account: whose requests they were, read first
        v.erase(at)
        v.version, v.updated_at = seen + 1, at
        await save_volunteer(self.volunteers, v, seen, tx.session)
        await self.awards.hide_from_wall(v.id, tx.session)
        await self.hours.forget_notes(v.id, tx.session)
        # Stored responses to their requests (a registration's phone numbers) go too.
        await tx.erase_idempotent_results([v.id, *([account] if account else [])])
        tx.publish(VolunteerErased(volunteer_id=v.id, hub_id=v.hub_id, erased_at=at), subject=v.id, hub_id=v.hub_id)
        tx.publish(VolunteerContactErased(person_id=v.id), subject=v.id, hub_id=v.hub_id)
        return v

"""A volunteer's data rights: an export of everything held about them, and erasure (the record is
anonymised; ids, hour totals and milestones stay)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contracts.contacts import VolunteerContactErased
from hub_common.contracts.volunteers import VolunteerErased
from hub_common.uow import Transaction, UnitOfWork
from hub_volunteers.adapters.awards import AwardRepository
from hub_volunteers.adapters.hours import HoursRepository
from hub_volunteers.adapters.shifts import ShiftRepository
from hub_volunteers.adapters.signups import SignupRepository
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.domain.volunteers import Volunteer
from hub_volunteers.service.common import require_self_or_staff, save_volunteer
from hub_volunteers.service.signups import SignupService


class DataRightsService:
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
    ) -> None:
        self.uow = uow
        self.volunteers = volunteers
        self.signups = signups
        self.hours = hours
        self.awards = awards
        self.shifts = shifts
        self.places = places  # gives up the volunteer's future places (waitlists move up)
        self.clock = clock

    async def export(self, caller: Principal, volunteer_id: str) -> dict[str, Any]:
        v = await self.volunteers.get(volunteer_id)
        require_self_or_staff(caller, v)
        mine = {"volunteer_id": v.id}
        shown = v if caller.sub == v.sub else v.model_copy(update={"calendar_token": None})
        return {
            "volunteer": shown.model_dump(mode="json"),
            "signups": await self.signups.stored(mine),
            "hours": await self.hours.stored(mine),
            "awards": await self.awards.stored(mine),
            "exported_at": self.clock().isoformat(),
        }

    async def erase(self, caller: Principal, volunteer_id: str) -> Volunteer:
        async def work(tx: Transaction) -> Volunteer:
            v = await self.volunteers.get(volunteer_id, tx.session)
            require_self_or_staff(caller, v)
            return await self._erase(v, tx)

        return await self.uow.run(work)

    async def erase_archived(self, cutoff: datetime) -> int:
        """Retention: erase the records archived before ``cutoff`` (people who left, applications
        that were closed), exactly as an erasure they asked for would; returns how many."""
        erased = 0
        while ids := await self.volunteers.archived_before(cutoff):
            for volunteer_id in ids:

                async def work(tx: Transaction, volunteer_id: str = volunteer_id) -> bool:
                    v = await self.volunteers.get(volunteer_id, tx.session)
                    if v.erased_at is not None:  # another worker's run got here first
                        return False
                    await self._erase(v, tx)
                    return True

                erased += await self.uow.run(work)
        return erased

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

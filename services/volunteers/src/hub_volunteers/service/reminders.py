"""The worker's expiry warnings: accreditations expiring and background checks due for renewal,
one event each, ahead of time, never twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hub_common.clock import Clock
from hub_common.contracts import EventData
from hub_common.contracts.volunteers import AccreditationExpiring, CheckRenewalDue
from hub_common.uow import Transaction, UnitOfWork
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.domain.volunteers import Volunteer
from hub_volunteers.service.common import save_volunteer


class ReminderService:
    def __init__(self, uow: UnitOfWork, volunteers: VolunteerRepository, *, clock: Clock, warning_days: int) -> None:
        self.uow = uow
        self.volunteers = volunteers
        self.clock = clock
        self.warning_days = warning_days  # how far ahead a warning is raised

    async def raise_expiry_warnings(self) -> int:
        """The worker's periodic task: accreditations expiring and checks due for renewal."""
        return await self.warn_expiring_accreditations() + await self.warn_checks_due()

    async def warn_expiring_accreditations(self, today: date | None = None, batch: int = 200) -> int:
        """Raise one ``accreditation.expiring`` event per accreditation expiring soon; returns how many."""

        def event(v: Volunteer, acc: Any) -> AccreditationExpiring:
            return AccreditationExpiring(
                volunteer_id=v.id,
                hub_id=v.hub_id,
                accreditation_id=acc.id,
                name=acc.name,
                expires_on=acc.expires_on,
            )

        return await self._warn_once(
            "accreditations",
            "expires_on",
            "expiry_warned_on",
            lambda v, day: [a for a in v.accreditations if a.expiring_within(day, self.warning_days)],
            event,
            today,
            batch,
        )

    async def warn_checks_due(self, today: date | None = None, batch: int = 200) -> int:
        """Raise one ``check.renewal_due`` event per background check due for renewal soon."""

        def event(v: Volunteer, check: Any) -> CheckRenewalDue:
            return CheckRenewalDue(
                volunteer_id=v.id, hub_id=v.hub_id, check_id=check.id, level=check.level, renewal_due=check.renewal_due
            )

        return await self._warn_once(
            "checks",
            "renewal_due",
            "renewal_warned_on",
            lambda v, day: [c for c in v.checks if c.renewal_within(day, self.warning_days)],
            event,
            today,
            batch,
        )

    async def _warn_once(
        self,
        array: str,
        date_field: str,
        warned_field: str,
        due_items: Callable[[Volunteer, date], list[Any]],
        event: Callable[[Volunteer, Any], EventData],
        today: date | None,
        batch: int,
    ) -> int:
        """Publish one warning per item of ``array`` whose ``date_field`` falls soon, marking it warned
        in the same transaction, so a second run (or a second worker) raises nothing new."""
        day = today or self.clock().date()
        horizon = day + timedelta(days=self.warning_days)
        ids = await self.volunteers.ids_with_dates_between(array, date_field, warned_field, day, horizon, batch)
        raised = 0
        for volunteer_id in ids:

            async def work(tx: Transaction, volunteer_id: str = volunteer_id) -> int:
                v = await self.volunteers.get(volunteer_id, tx.session)
                due = due_items(v, day)
                for item in due:
                    setattr(item, warned_field, day)
                    tx.publish(event(v, item), subject=v.id, hub_id=v.hub_id)
                if due:
                    await save_volunteer(self.volunteers, v, v.version, tx.session)
                return len(due)

            raised += await self.uow.run(work)
        return raised

"""What time alone brings about, each job in the module of the sub-domain it acts on; bootstrap
schedules each on the worker, and operators can run them all at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from hub_assets.service.acv import AcvService
from hub_assets.service.bookings import BookingService
from hub_assets.service.loans import LoanService
from hub_assets.service.maintenance import MaintenanceService
from hub_common.auth import Principal

Job = Callable[[], Awaitable[int]]


class PeriodicService:
    def __init__(
        self, loans: LoanService, maintenance: MaintenanceService, bookings: BookingService, acv: AcvService
    ) -> None:
        # name → job (each idempotent, safe to repeat); the names are the keys of POST /v1/periodic/run's answer.
        self.jobs: dict[str, Job] = {
            "loans_overdue": loans.mark_overdue,
            "inspections_due": maintenance.open_inspections_due,
            "bookings_completed": bookings.complete_ended,
            "acv_changes": acv.advance,
        }

    async def run_all(self) -> dict[str, int]:
        return {name: await job() for name, job in self.jobs.items()}

    async def run_now(self, caller: Principal) -> dict[str, int]:
        """An operator runs every job now instead of waiting for the worker's schedule."""
        caller.require_role("operator")
        return await self.run_all()

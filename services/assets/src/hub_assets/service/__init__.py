"""Use cases of the assets service, one module per sub-domain: load → domain → save state and
events in one unit of work. ``UseCases`` is what bootstrap builds once per process."""

from __future__ import annotations

from dataclasses import dataclass

from hub_assets.service.acv import AcvService
from hub_assets.service.assets import AssetService
from hub_assets.service.bookings import BookingService
from hub_assets.service.directory import DirectoryService
from hub_assets.service.loans import LoanService
from hub_assets.service.maintenance import MaintenanceService
from hub_assets.service.periodic import PeriodicService
from hub_assets.service.personal_data import PersonalDataService
from hub_assets.service.usage import UsageService


@dataclass(frozen=True)
class UseCases:
    assets: AssetService
    directory: DirectoryService
    bookings: BookingService
    loans: LoanService
    maintenance: MaintenanceService
    acv: AcvService
    periodic: PeriodicService
    personal_data: PersonalDataService  # erasure and subject access (hub.privacy, forget me)
    usage: UsageService  # staff insight: bookings and loans over time

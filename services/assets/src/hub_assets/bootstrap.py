"""The composition root of the assets service: every object built once per process."""

from __future__ import annotations

from hub_assets.adapters.acv import NominationRepository
from hub_assets.adapters.assets import AssetRepository
from hub_assets.adapters.bookings import BookingRepository
from hub_assets.adapters.loans import LoanRepository
from hub_assets.adapters.locks import AssetLocks
from hub_assets.adapters.maintenance import MaintenanceRepository
from hub_assets.adapters.volunteers import VolunteerRepository
from hub_assets.handlers import handlers
from hub_assets.service import UseCases
from hub_assets.service.acv import AcvService
from hub_assets.service.assets import AssetService
from hub_assets.service.bookings import BookingService
from hub_assets.service.directory import DirectoryService
from hub_assets.service.loans import LoanService
from hub_assets.service.maintenance import MaintenanceService
from hub_assets.service.periodic import PeriodicService
from hub_assets.service.personal_data import PersonalDataService
from hub_assets.service.usage import UsageService
from hub_assets.settings import AssetsSettings
from hub_common.partner_grants import PartnerGrantRepository
from hub_common.scheduler import PeriodicTask
from hub_common.service import Components, ServiceContext


def bootstrap(ctx: ServiceContext[AssetsSettings]) -> Components:
    db, uow, clock = ctx.db, ctx.uow, ctx.clock
    assets, locks = AssetRepository(db), AssetLocks(db)
    maintenance_records = MaintenanceRepository(db)
    booking_records, loan_records = BookingRepository(db), LoanRepository(db)
    bookings = BookingService(uow, booking_records, assets, locks, clock=clock)
    loans = LoanService(uow, loan_records, assets, maintenance_records, VolunteerRepository(db), locks, clock=clock)
    maintenance = MaintenanceService(uow, maintenance_records, assets, clock=clock)
    acv = AcvService(uow, NominationRepository(db), assets, locks, clock=clock)
    use_cases = UseCases(
        assets=AssetService(uow, assets, clock=clock),
        directory=DirectoryService(assets, clock=clock),
        bookings=bookings,
        loans=loans,
        maintenance=maintenance,
        acv=acv,
        periodic=PeriodicService(loans, maintenance, bookings, acv),
        personal_data=PersonalDataService(uow, booking_records, loan_records),
        usage=UsageService(booking_records, loan_records),
    )
    # Overdue loans, inspections due, ended bookings, ACV dates: each every HUB_PERIODIC_INTERVAL_S.
    interval = ctx.settings.periodic_interval_s
    periodic = [PeriodicTask(f"assets-{name}", interval, job) for name, job in use_cases.periodic.jobs.items()]
    return Components(
        use_cases=use_cases, handlers=handlers(use_cases, PartnerGrantRepository(ctx.db)), periodic=periodic
    )

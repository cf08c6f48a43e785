"""The assets service's dependency aliases: each route's use-case object, built once by bootstrap."""

from __future__ import annotations

from typing import Annotated

from hub_assets.service.acv import AcvService
from hub_assets.service.assets import AssetService
from hub_assets.service.bookings import BookingService
from hub_assets.service.directory import DirectoryService
from hub_assets.service.loans import LoanService
from hub_assets.service.maintenance import MaintenanceService
from hub_assets.service.periodic import PeriodicService
from hub_assets.service.personal_data import PersonalDataService
from hub_assets.service.usage import UsageService
from hub_common.http import use_case

Assets = Annotated[AssetService, use_case(lambda uc: uc.assets)]
Directory = Annotated[DirectoryService, use_case(lambda uc: uc.directory)]
Bookings = Annotated[BookingService, use_case(lambda uc: uc.bookings)]
Loans = Annotated[LoanService, use_case(lambda uc: uc.loans)]
Maintenance = Annotated[MaintenanceService, use_case(lambda uc: uc.maintenance)]
Acv = Annotated[AcvService, use_case(lambda uc: uc.acv)]
Periodic = Annotated[PeriodicService, use_case(lambda uc: uc.periodic)]
PersonalData = Annotated[PersonalDataService, use_case(lambda uc: uc.personal_data)]
Usage = Annotated[UsageService, use_case(lambda uc: uc.usage)]

"""The volunteers service's dependency aliases: each hands a route the process's use-case object."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from hub_common.http import use_case
from hub_volunteers.service.calendar import CalendarService
from hub_volunteers.service.catalogue import CatalogueService
from hub_volunteers.service.hours import HoursService
from hub_volunteers.service.matching import MatchingService
from hub_volunteers.service.personal_data import PersonalDataService
from hub_volunteers.service.shifts import ShiftService
from hub_volunteers.service.signups import SignupService
from hub_volunteers.service.venues import VenueService
from hub_volunteers.service.volunteers import VolunteerService

Volunteers = Annotated[VolunteerService, use_case(lambda uc: uc.volunteers)]
PersonalData = Annotated[PersonalDataService, use_case(lambda uc: uc.personal_data)]
Catalogue = Annotated[CatalogueService, use_case(lambda uc: uc.catalogue)]
Shifts = Annotated[ShiftService, use_case(lambda uc: uc.shifts)]
Signups = Annotated[SignupService, use_case(lambda uc: uc.signups)]
Hours = Annotated[HoursService, use_case(lambda uc: uc.hours)]
Matching = Annotated[MatchingService, use_case(lambda uc: uc.matching)]
Calendars = Annotated[CalendarService, use_case(lambda uc: uc.calendar)]
Venues = Annotated[VenueService, use_case(lambda uc: uc.venues)]

# A hub named in the query string (lists of one hub).
HubQuery = Annotated[str, Query(min_length=1, max_length=64)]

"""Use cases of the volunteers service, one module per sub-domain: load -> domain -> save state and
events in one unit of work. ``commands`` holds the requests they take (from HTTP and partner events).

``UseCases`` names the one object per sub-domain that ``bootstrap`` builds for the process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub_volunteers.demo import DemoData
    from hub_volunteers.service.calendar import CalendarService
    from hub_volunteers.service.catalogue import CatalogueService
    from hub_volunteers.service.hours import HoursService
    from hub_volunteers.service.matching import MatchingService
    from hub_volunteers.service.partners import PartnerService
    from hub_volunteers.service.personal_data import PersonalDataService
    from hub_volunteers.service.reminders import ReminderService
    from hub_volunteers.service.shifts import ShiftService
    from hub_volunteers.service.signups import SignupService
    from hub_volunteers.service.venues import VenueService
    from hub_volunteers.service.volunteers import VolunteerService


@dataclass(frozen=True)
class UseCases:
    volunteers: VolunteerService  # registration, profile, lifecycle, checks, skills, sign-in links
    personal_data: PersonalDataService  # export and erasure
    catalogue: CatalogueService  # skills taxonomy and roles
    shifts: ShiftService
    signups: SignupService  # sign-ups, waitlist, attendance
    hours: HoursService  # hours, approval, awards, milestones, totals, wall
    matching: MatchingService
    calendar: CalendarService
    venues: VenueService  # venues and equipment (assets read models)
    partners: PartnerService  # hub.volunteers.inbound
    reminders: ReminderService  # the worker's expiry warnings
    demo: DemoData  # HUB_DEMO_DATA

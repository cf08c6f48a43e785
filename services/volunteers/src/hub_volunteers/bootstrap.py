"""The composition root: every repository and use case of the volunteers service, built once per process.

The API's routes, the consumer's handlers, the worker's periodic task and the demo data all use
the objects built here (so, e.g., there is one per-shift lock table per process).
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from hub_common.partner_grants import PartnerGrantRepository
from hub_common.retention import RetentionRule
from hub_common.scheduler import PeriodicTask
from hub_common.service import Components, ServiceContext
from hub_volunteers.adapters.awards import AwardRepository
from hub_volunteers.adapters.hours import HoursRepository
from hub_volunteers.adapters.roles import RoleRepository
from hub_volunteers.adapters.shifts import ShiftRepository
from hub_volunteers.adapters.signups import SignupRepository
from hub_volunteers.adapters.skills import SkillRepository
from hub_volunteers.adapters.venues import EquipmentRepository, VenueRepository
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.demo import DemoData
from hub_volunteers.domain.hours import normalise_milestones
from hub_volunteers.handlers import handlers
from hub_volunteers.service import UseCases
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
from hub_volunteers.settings import VolunteersSettings


def bootstrap(ctx: ServiceContext[VolunteersSettings]) -> Components:
    settings, clock, uow = ctx.settings, ctx.clock, ctx.uow
    tz = ZoneInfo(settings.local_timezone)

    volunteers = VolunteerRepository(ctx.db)
    skills = SkillRepository(ctx.db)
    roles = RoleRepository(ctx.db)
    shifts = ShiftRepository(ctx.db)
    signups = SignupRepository(ctx.db)
    hours = HoursRepository(ctx.db)
    awards = AwardRepository(ctx.db)
    venues = VenueRepository(ctx.db)
    equipment = EquipmentRepository(ctx.db)

    approval_check = None if settings.approval_required_check == "none" else settings.approval_required_check
    registration = VolunteerService(
        uow, volunteers, skills, clock=clock, approval_check=approval_check, audit=ctx.audit
    )
    places = SignupService(uow, signups, shifts, roles, volunteers, hours, clock=clock, audit=ctx.audit)
    logging = HoursService(
        uow,
        hours,
        awards,
        volunteers,
        shifts,
        roles,
        signups,
        clock=clock,
        milestones=normalise_milestones(settings.milestone_hours),
        audit=ctx.audit,
    )
    use_cases = UseCases(
        volunteers=registration,
        personal_data=PersonalDataService(
            uow,
            volunteers,
            signups,
            hours,
            awards,
            shifts,
            places,
            clock=clock,
            audit=ctx.audit,
            inactive_notice=timedelta(days=settings.inactive_volunteer_notice_days),
        ),
        catalogue=CatalogueService(uow, skills, roles, clock=clock),
        shifts=ShiftService(uow, shifts, roles, signups, venues, equipment, places, clock=clock, tz=tz),
        signups=places,
        hours=logging,
        matching=MatchingService(volunteers, shifts, roles, signups, clock=clock, tz=tz, audit=ctx.audit),
        calendar=CalendarService(volunteers, signups, shifts, roles, venues, clock=clock),
        venues=VenueService(venues, equipment),
        partners=PartnerService(registration, logging, volunteers, hours),
        reminders=ReminderService(uow, volunteers, clock=clock, warning_days=settings.accreditation_warning_days),
        demo=DemoData(uow, skills, roles, shifts, volunteers, signups, clock=clock),
    )
    return Components(
        use_cases=use_cases,
        handlers=handlers(use_cases, PartnerGrantRepository(ctx.db)),
        periodic=[
            PeriodicTask(
                "expiry-warnings", settings.accreditation_scan_interval_s, use_cases.reminders.raise_expiry_warnings
            ),
            ctx.retention_task(
                [
                    RetentionRule(
                        "archived volunteers' personal details",
                        timedelta(days=settings.archived_volunteer_retention_days),
                        use_cases.personal_data.erase_archived,
                        why="people who left, or whose application was closed, are not kept on file",
                    ),
                    RetentionRule(
                        "closed volunteer applications' personal details",
                        timedelta(days=settings.closed_application_retention_days),
                        use_cases.personal_data.erase_closed_applications,
                        why="an application that was not taken forward needs no record beyond six months",
                    ),
                    RetentionRule(
                        "inactive volunteers told their record will be erased",
                        timedelta(days=settings.inactive_volunteer_retention_days),
                        use_cases.personal_data.notify_inactive,
                        why="records unused this long are not kept without asking; a notice comes first",
                    ),
                    RetentionRule(
                        "inactive volunteers' personal details, after the notice",
                        timedelta(days=settings.inactive_volunteer_notice_days),
                        use_cases.personal_data.erase_unanswered,
                        why="the notice period passed and the record was not used",
                    ),
                ]
            ),
        ],
    )

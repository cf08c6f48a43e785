"""Demo data (``HUB_DEMO_DATA``): skills, roles with full descriptions and shifts in the two demo hubs (one
food bank shift a day running now, with a demo volunteer on it, to try checking in), and a few
volunteers. Idempotent: fixed ids, inserted only when missing, and the events of what was inserted are
published through the outbox like any other change (so notifications learns the demo volunteers' contact
details).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hub_common.clock import Clock
from hub_common.contracts.volunteers import ShiftPublished, SignupConfirmed, VolunteerRegistered
from hub_common.demo import HUBS
from hub_common.service import ServiceContext
from hub_common.uow import Transaction, UnitOfWork
from hub_volunteers.adapters.roles import RoleRepository
from hub_volunteers.adapters.shifts import ShiftRepository
from hub_volunteers.adapters.signups import SignupRepository
from hub_volunteers.adapters.skills import SkillRepository
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.domain.roles import Role, SkillNeed
from hub_volunteers.domain.shifts import Shift, Signup
from hub_volunteers.domain.skills import Skill
from hub_volunteers.domain.volunteers import BackgroundCheck, Consent, EmergencyContact, Slot, Volunteer, VolunteerSkill
from hub_volunteers.service.events import contact_upserted, role_published, shift_snapshot, signup_fields
from hub_volunteers.settings import VolunteersSettings

SKILL_LIST = [
    ("first-aid", "First aid", "safety"),
    ("food-hygiene", "Food hygiene", "food"),
    ("driving", "Driving (full licence)", "transport"),
    ("gardening", "Gardening", "outdoors"),
    ("digital-help", "Helping people get online", "digital"),
    ("befriending", "Befriending", "care"),
    ("translation-urdu", "Translation: Urdu", "languages"),
    ("event-stewarding", "Event stewarding", "events"),
]


def _roles(hub_id: str, at: datetime) -> list[Role]:
    short = hub_id.removeprefix("hub-")
    common: dict[str, Any] = {"hub_id": hub_id, "status": "published", "created_at": at, "updated_at": at}
    return [
        Role(
            id=f"demo-role-{short}-foodbank",
            title="Food bank helper",
            purpose="Make sure every family referred to the hub leaves with a fair, healthy food parcel.",
            tasks=["Sort and date-check donations", "Pack parcels to the list", "Welcome visitors and offer tea"],
            time_commitment="One 3-hour shift a week, Tuesday or Saturday",
            skills_needed=[],
            checks_needed="none",
            training_given="Food hygiene induction and a buddy for your first two shifts",
            support_contact="Volunteer coordinator at the hub front desk",
            accessibility="Step-free building; seated sorting tasks available; quiet room",
            open_to_under_18=True,
            min_age=16,
            **common,
        ),
        Role(
            id=f"demo-role-{short}-litter",
            title="Litter picker",
            purpose="Keep streets, parks and the riverbank clean and safe.",
            tasks=["Pick litter with grabbers", "Report fly-tipping through the app", "Bag and sort recycling"],
            time_commitment="2 hours, monthly Saturday mornings",
            skills_needed=[],
            checks_needed="none",
            training_given="Safety briefing on the day; all equipment provided",
            support_contact="Green team lead, Parks office",
            accessibility="Outdoor, uneven ground; shorter routes on paved paths available",
            open_to_under_18=True,
            min_age=14,
            issue_categories=["litter", "graffiti"],
            **common,
        ),
        Role(
            id=f"demo-role-{short}-driver",
            title="Community transport driver",
            purpose="Drive older and disabled residents to appointments and the hub lunch club.",
            tasks=["Collect passengers from home", "Help with seatbelts and mobility aids", "Log each journey"],
            time_commitment="Half a day a week, flexible",
            skills_needed=[SkillNeed(skill_id="driving", min_level=3)],
            checks_needed="enhanced",
            training_given="MiDAS minibus driver assessment and passenger assistance training",
            support_contact="Transport coordinator, hub office",
            accessibility="Requires driving; automatic vehicles available",
            open_to_under_18=False,
            **common,
        ),
    ]


def _shifts(role: Role, venue_address: str, at: datetime) -> list[Shift]:
    shifts = []
    for week in (1, 2):
        day = (at + timedelta(days=7 * week)).date()
        start = datetime.combine(day, time(10, 0), tzinfo=UTC)
        shifts.append(
            Shift(
                id=f"{role.id.replace('role', 'shift')}-w{week}",
                hub_id=role.hub_id,
                role_id=role.id,
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                address=venue_address,
                capacity=4 if "driver" not in role.id else 2,
                created_at=at,
                updated_at=at,
            )
        )
    return shifts


def _shift_now(role: Role, venue_address: str, at: datetime) -> Shift:
    """A shift that began 15 minutes before the demo data was loaded and runs for three hours, with
    the hub's demo volunteer on it, so checking in with the shift's QR code and logging its hours
    can be tried at once under `make run`. One per day: the id carries the date, so a restart the
    same day finds it and adds nothing."""
    start = at.replace(second=0) - timedelta(minutes=15)
    return Shift(
        id=f"{role.id.replace('role', 'shift')}-now-{at:%Y%m%d}",
        hub_id=role.hub_id,
        role_id=role.id,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        address=venue_address,
        capacity=4,
        confirmed=1,  # the demo volunteer's place, stored beside it
        created_at=at,
        updated_at=at,
    )


def _place_on(shift: Shift, volunteer_id: str, at: datetime) -> Signup:
    return Signup(
        id=f"{shift.id}:{volunteer_id}",
        shift_id=shift.id,
        volunteer_id=volunteer_id,
        hub_id=shift.hub_id,
        role_id=shift.role_id,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        status="confirmed",
        queued_at=at,
        signed_up_by="demo",
        updated_at=at,
    )


def _hub_name(hub_id: str) -> str:
    return next(h["name"] for h in HUBS if h["id"] == hub_id)


def _volunteers(at: datetime) -> list[Volunteer]:
    consent = [
        Consent(purpose=p, granted=g, at=at, wording_version="2026-01")
        for p, g in (
            ("data_processing", True),
            ("channel:email", True),
            ("channel:sms", False),
            ("channel:inapp", True),
        )
    ]
    people = [
        ("demo-vol-amira", "Amira Khan", "hub-northfield", "active", ["food-hygiene", "translation-urdu"]),
        ("demo-vol-tom", "Tom Price", "hub-northfield", "applicant", ["gardening"]),
        ("demo-vol-jo", "Jo Walker", "hub-riverside", "active", ["driving", "first-aid"]),
    ]
    return [
        Volunteer(
            id=vid,
            sub=f"{vid}-account",
            hub_id=hub,
            status=status,
            name=name,
            email=f"{vid.removeprefix('demo-vol-')}@example.org",
            date_of_birth=date(1988, 4, 12),
            skills=[VolunteerSkill(skill_id=s, level=3) for s in skills],
            interests=["community"],
            availability=[Slot(day="sat", start=time(9, 0), end=time(14, 0))],
            consents=consent,
            emergency_contact=EmergencyContact(name="Next of kin", phone="+44 7700 900000"),
            checks=[
                BackgroundCheck(
                    id=f"{vid}-check",
                    level="enhanced",
                    certificate_ref="DEMO-0001",
                    issued_on=date(2026, 1, 5),
                    renewal_due=date(2029, 1, 5),
                    recorded_at=at,
                    recorded_by="demo",
                )
            ]
            if status == "active"
            else [],
            recognition_opt_in=True,
            created_at=at,
            updated_at=at,
        )
        for vid, name, hub, status, skills in people
    ]


# Who is on each hub's shift running now (an active demo volunteer of that hub).
NOW_SHIFT_VOLUNTEERS = {"hub-northfield": "demo-vol-amira", "hub-riverside": "demo-vol-jo"}


class DemoData:
    """Writes the demo data through the process's repositories (built once by ``bootstrap``)."""

    def __init__(
        self,
        uow: UnitOfWork,
        skills: SkillRepository,
        roles: RoleRepository,
        shifts: ShiftRepository,
        volunteers: VolunteerRepository,
        signups: SignupRepository,
        *,
        clock: Clock,
    ) -> None:
        self.uow = uow
        self.skills = skills
        self.roles = roles
        self.shifts = shifts
        self.volunteers = volunteers
        self.signups = signups
        self.clock = clock

    async def seed(self) -> None:
        at = self.clock().replace(microsecond=0)

        async def work(tx: Transaction) -> None:
            for skill_id, name, category in SKILL_LIST:
                await self.skills.add_if_missing(
                    Skill(id=skill_id, name=name, category=category, created_at=at), tx.session
                )
            for hub in HUBS:
                address = f"{hub['name']}, Community Centre"
                for role in _roles(hub["id"], at):
                    if await self.roles.add_if_missing(role, tx.session):
                        tx.publish(role_published(role), subject=role.id, hub_id=role.hub_id)
                    for shift in _shifts(role, address, at):
                        if await self.shifts.add_if_missing(shift, tx.session):
                            tx.publish(ShiftPublished(**shift_snapshot(shift)), subject=shift.id, hub_id=shift.hub_id)
            for v in _volunteers(at):
                if await self.volunteers.add_if_missing(v, tx.session):
                    _publish_registered(tx, v, at)
            for hub_id, volunteer_id in NOW_SHIFT_VOLUNTEERS.items():
                role = next(r for r in _roles(hub_id, at) if r.id.endswith("-foodbank"))
                shift = _shift_now(role, f"{_hub_name(hub_id)}, Community Centre", at)
                if await self.shifts.add_if_missing(shift, tx.session):
                    tx.publish(ShiftPublished(**shift_snapshot(shift)), subject=shift.id, hub_id=shift.hub_id)
                    signup = _place_on(shift, volunteer_id, at)
                    await self.signups.put(signup, tx.session)
                    tx.publish(SignupConfirmed(**signup_fields(signup)), subject=signup.id, hub_id=shift.hub_id)

        await self.uow.run(work)


def _publish_registered(tx: Transaction, v: Volunteer, at: datetime) -> None:
    tx.publish(
        VolunteerRegistered(
            volunteer_id=v.id,
            hub_id=v.hub_id,
            status=v.status,
            skill_ids=[s.skill_id for s in v.skills],
            interests=v.interests,
            channel="staff",
            registered_at=at,
        ),
        subject=v.id,
        hub_id=v.hub_id,
    )
    tx.publish(contact_upserted(v), subject=v.id, hub_id=v.hub_id)


async def seed_demo_data(ctx: ServiceContext[VolunteersSettings]) -> None:
    """``DEFINITION.seed_demo_data``: the demo data, written by the process's own objects."""
    await ctx.components.use_cases.demo.seed()

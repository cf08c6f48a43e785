"""Events published by the volunteers service (``hub.volunteers.events``).

Volunteers appear only as an opaque ``volunteer_id``: names, emails, phone numbers, dates of birth
and emergency contacts never leave the service on this topic. Contact details travel on
``hub.contacts`` (:mod:`hub_common.contracts.contacts`), so notifications can reach the volunteer
when one of these events concerns them (e.g. a milestone or an award).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub_common.contracts.registry import EventData, event_contract
from hub_common.contracts.topics import inbound_topic

VolunteerStatus = Literal["applicant", "approved", "active", "inactive", "archived"]
CheckLevel = Literal["basic", "standard", "enhanced"]
Id = Annotated[str, Field(min_length=1, max_length=64)]


# --- volunteers -----------------------------------------------------------------------------


@event_contract("hub.volunteers.volunteer.registered.v1")
class VolunteerRegistered(EventData):
    """A person signed up to volunteer (an applicant until staff approve them)."""

    volunteer_id: Id
    hub_id: Id
    status: VolunteerStatus = "applicant"
    skill_ids: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    channel: Literal["self", "staff", "partner"] = "self"
    registered_at: datetime


@event_contract("hub.volunteers.volunteer.approved.v1")
class VolunteerApproved(EventData):
    """Staff approved an applicant after the required checks."""

    volunteer_id: Id
    hub_id: Id
    approved_at: datetime


@event_contract("hub.volunteers.volunteer.status_changed.v1")
class VolunteerStatusChanged(EventData):
    """A volunteer moved along the lifecycle (applicant, approved, active, inactive, archived)."""

    volunteer_id: Id
    hub_id: Id
    from_status: VolunteerStatus
    to_status: VolunteerStatus
    reason: str | None = Field(default=None, max_length=500)
    changed_at: datetime


@event_contract("hub.volunteers.volunteer.erased.v1")
class VolunteerErased(EventData):
    """A volunteer asked to be forgotten: their record is anonymised (aggregate hours are kept)."""

    volunteer_id: Id
    hub_id: Id
    erased_at: datetime


@event_contract("hub.volunteers.volunteer.erasure_scheduled.v1")
class VolunteerErasureScheduled(EventData):
    """A volunteer inactive for the retention period will be erased after ``erase_after`` unless they,
    or their hub, do something with their record before then (the notice the schedule gives them)."""

    volunteer_id: Id
    hub_id: Id
    erase_after: datetime


@event_contract("hub.volunteers.skill.added.v1")
class VolunteerSkillAdded(EventData):
    """A volunteer has (or changed the level of) a skill from the hub's skills taxonomy."""

    volunteer_id: Id
    hub_id: Id
    skill_id: Id
    level: int = Field(ge=1, le=4, description="1 beginner, 2 competent, 3 experienced, 4 expert/trainer")


@event_contract("hub.volunteers.accreditation.added.v1")
class AccreditationAdded(EventData):
    """A training or accreditation was recorded for a volunteer."""

    volunteer_id: Id
    hub_id: Id
    accreditation_id: Id
    name: str = Field(min_length=1, max_length=200)
    skill_id: str | None = Field(default=None, max_length=64)
    issuer: str = Field(min_length=1, max_length=200)
    issued_on: date
    expires_on: date | None = None


@event_contract("hub.volunteers.accreditation.expiring.v1")
class AccreditationExpiring(EventData):
    """A volunteer's accreditation expires soon (raised ahead of time by the worker)."""

    volunteer_id: Id
    hub_id: Id
    accreditation_id: Id
    name: str = Field(min_length=1, max_length=200)
    expires_on: date


@event_contract("hub.volunteers.check.renewal_due.v1")
class CheckRenewalDue(EventData):
    """A volunteer's background check is due for renewal soon (raised ahead of time by the worker)."""

    volunteer_id: Id
    hub_id: Id
    check_id: Id
    level: CheckLevel
    renewal_due: date


# --- roles and shifts -----------------------------------------------------------------------


@event_contract("hub.volunteers.role.published.v1")
class RolePublished(EventData):
    """A volunteer role with its full description is open for shifts."""

    role_id: Id
    hub_id: Id
    title: str = Field(min_length=1, max_length=200)
    skill_ids: list[str] = Field(default_factory=list)
    check_level: CheckLevel | None = None
    open_to_under_18: bool


class ShiftSnapshot(EventData):
    shift_id: Id
    hub_id: Id
    role_id: Id
    starts_at: datetime
    ends_at: datetime
    venue_id: str | None = Field(default=None, max_length=64, description="an asset id (room or space)")
    address: str | None = Field(default=None, max_length=500)
    capacity: int = Field(ge=1)
    equipment_ids: list[str] = Field(default_factory=list, description="asset ids of equipment the shift needs")


@event_contract("hub.volunteers.shift.published.v1")
class ShiftPublished(ShiftSnapshot):
    """A shift is open for sign-up."""


@event_contract("hub.volunteers.shift.updated.v1")
class ShiftUpdated(ShiftSnapshot):
    """A shift's time, place or capacity changed (the full new snapshot)."""


@event_contract("hub.volunteers.shift.cancelled.v1")
class ShiftCancelled(EventData):
    """A shift was cancelled; everyone signed up or waitlisted should be told."""

    shift_id: Id
    hub_id: Id
    volunteer_ids: list[str] = Field(default_factory=list, description="confirmed and waitlisted volunteers")
    reason: str | None = Field(default=None, max_length=500)


class SignupEvent(EventData):
    signup_id: str = Field(min_length=1, max_length=140, description="<shift_id>:<volunteer_id>")
    shift_id: Id
    volunteer_id: Id
    hub_id: Id
    starts_at: datetime


@event_contract("hub.volunteers.signup.confirmed.v1")
class SignupConfirmed(SignupEvent):
    """A volunteer has a confirmed place on a shift."""


@event_contract("hub.volunteers.signup.waitlisted.v1")
class SignupWaitlisted(SignupEvent):
    """The shift was full: the volunteer is on its waitlist."""

    position: int = Field(ge=1)


@event_contract("hub.volunteers.signup.promoted.v1")
class SignupPromoted(SignupEvent):
    """A place freed up and the first waitlisted volunteer now has a confirmed place."""


@event_contract("hub.volunteers.signup.cancelled.v1")
class SignupCancelled(SignupEvent):
    """A volunteer's sign-up (confirmed or waitlisted) was cancelled."""

    was: Literal["confirmed", "waitlisted"]


@event_contract("hub.volunteers.attendance.checked_in.v1")
class CheckedIn(SignupEvent):
    """A volunteer arrived for a shift."""

    at: datetime


@event_contract("hub.volunteers.attendance.checked_out.v1")
class CheckedOut(SignupEvent):
    """A volunteer left a shift; the attended time is logged as hours for approval."""

    at: datetime
    hours_id: Id
    minutes: int = Field(ge=0)


# --- hours and recognition ------------------------------------------------------------------


@event_contract("hub.volunteers.hours.logged.v1")
class HoursLogged(EventData):
    """Hours were logged (from attendance or by the volunteer) and await approval."""

    hours_id: Id
    volunteer_id: Id
    hub_id: Id
    role_id: str | None = Field(default=None, max_length=64)
    shift_id: str | None = Field(default=None, max_length=64)
    minutes: int = Field(ge=1)
    worked_on: date
    source: Literal["attendance", "volunteer", "staff", "partner"]


@event_contract("hub.volunteers.hours.approved.v1")
class HoursApproved(EventData):
    """Staff approved logged hours; they count towards the volunteer's totals and milestones."""

    hours_id: Id
    volunteer_id: Id
    hub_id: Id
    minutes: int = Field(ge=1)
    total_approved_minutes: int = Field(ge=0)


@event_contract("hub.volunteers.hours.rejected.v1")
class HoursRejected(EventData):
    """Staff rejected logged hours."""

    hours_id: Id
    volunteer_id: Id
    hub_id: Id
    reason: str | None = Field(default=None, max_length=500)


@event_contract("hub.volunteers.milestone.reached.v1")
class MilestoneReached(EventData):
    """A volunteer's approved hours crossed a milestone (each milestone is reached once only)."""

    award_id: Id
    volunteer_id: Id
    hub_id: Id
    milestone_hours: int = Field(ge=1)
    total_hours: float = Field(ge=0)
    reached_at: datetime


@event_contract("hub.volunteers.award.given.v1")
class AwardGiven(EventData):
    """Staff gave a volunteer an award (e.g. Volunteer of the Month) with a citation."""

    award_id: Id
    volunteer_id: Id
    hub_id: Id
    title: str = Field(min_length=1, max_length=200)
    citation: str = Field(min_length=1, max_length=2000)
    period: str | None = Field(default=None, max_length=40)
    given_at: datetime


# --- inbound: partner volunteer centres publish these to hub.volunteers.inbound ---------------
# Validated like the API (same rules: consent, date of birth, guardian, skills) and idempotent by
# (ce_source, partner_ref): a repeat of the same reference is ignored. Like every topic but
# hub.contacts, they carry no email addresses or phone numbers: the partner centre keeps its
# volunteers' contact details (and emergency contacts) and is reached through its own channels.


class PartnerConsent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_processing: bool
    wording_version: str = Field(min_length=1, max_length=40)
    given_at: datetime


class PartnerGuardian(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    relationship: str = Field(min_length=1, max_length=60)
    consent: bool


class PartnerSkill(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skill_id: Id
    level: int = Field(default=1, ge=1, le=4)


class PartnerSlot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    start: str = Field(pattern=r"^\d{2}:\d{2}$")
    end: str = Field(pattern=r"^\d{2}:\d{2}$")


@event_contract("hub.volunteers.registration.submitted.v1", topic=inbound_topic("volunteers"))
class RegistrationSubmitted(EventData):
    """A partner volunteer centre registers one of its volunteers with a hub (no contact details)."""

    partner_ref: Id
    hub_id: Id
    name: str = Field(min_length=1, max_length=200, description="how hub staff see the volunteer on rosters")
    date_of_birth: date
    language: str = "en"
    skills: list[PartnerSkill] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    availability: list[PartnerSlot] = Field(default_factory=list)
    consent: PartnerConsent
    guardian: PartnerGuardian | None = None


@event_contract("hub.volunteers.hours.submitted.v1", topic=inbound_topic("volunteers"))
class HoursSubmitted(EventData):
    """A partner reports hours a volunteer gave (they await staff approval like any logged hours)."""

    partner_ref: Id
    hub_id: Id
    volunteer_id: str | None = Field(default=None, max_length=64, description="the hub's volunteer id")
    volunteer_partner_ref: str | None = Field(
        default=None, max_length=64, description="or the partner_ref the volunteer was registered with"
    )
    hours: float = Field(gt=0, le=24)
    worked_on: date
    role_id: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, max_length=500)

"""The volunteer: registration rules, consent, lifecycle, background checks, skills, erasure.

Pure Python (pydantic models for shape): no FastAPI, Kafka or Mongo here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from hub_common.errors import Conflict, RuleViolation

Status = Literal["applicant", "approved", "active", "inactive", "archived"]
CheckLevel = Literal["basic", "standard", "enhanced"]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Channel = Literal["email", "sms", "inapp"]

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHECK_RANK: dict[str, int] = {"basic": 1, "standard": 2, "enhanced": 3}
ADULT_AGE = 18
MIN_REGISTRATION_AGE = 14
SKILL_LEVELS = {1: "beginner", 2: "competent", 3: "experienced", 4: "expert"}

# Who may move a volunteer where. Archiving is possible from any live state (also a rejection).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "applicant": ("approved", "archived"),
    "approved": ("active", "inactive", "archived"),
    "active": ("inactive", "archived"),
    "inactive": ("active", "archived"),
    "archived": (),
}
CAN_SERVE: tuple[str, ...] = ("approved", "active")  # statuses that may sign up to shifts


class Slot(BaseModel):
    """A weekly availability window, e.g. Tuesdays 18:00-21:00."""

    day: Day
    start: time
    end: time


class Consent(BaseModel):
    """What the volunteer agreed to, when, and to which wording."""

    purpose: str  # "data_processing", "channel:email", "channel:sms", "channel:inapp", "guardian"
    granted: bool
    at: datetime
    wording_version: str


class EmergencyContact(BaseModel):
    name: str
    phone: str
    relationship: str | None = None


class Guardian(BaseModel):
    """A parent or guardian who consented for an under-18 volunteer."""

    name: str
    phone: str | None = None
    email: str | None = None
    relationship: str
    consented_at: datetime
    wording_version: str


class BackgroundCheck(BaseModel):
    id: str
    level: CheckLevel
    certificate_ref: str
    issued_on: date
    renewal_due: date
    recorded_at: datetime
    recorded_by: str
    renewal_warned_on: date | None = None  # when the "renewal due" event was raised (once)

    def renewal_within(self, today: date, days: int) -> bool:
        return self.renewal_warned_on is None and today <= self.renewal_due <= today + timedelta(days=days)


class VolunteerSkill(BaseModel):
    skill_id: str
    level: int = Field(ge=1, le=4)


class Accreditation(BaseModel):
    id: str
    name: str
    skill_id: str | None = None
    issuer: str
    issued_on: date
    expires_on: date | None = None
    expiry_warned_on: date | None = None  # when the "expiring soon" event was raised (once)

    def expiring_within(self, today: date, days: int) -> bool:
        """Expires in the coming ``days`` and no warning has been raised yet."""
        return (
            self.expires_on is not None
            and self.expiry_warned_on is None
            and today <= self.expires_on <= today + timedelta(days=days)
        )


class Volunteer(BaseModel):
    id: str
    sub: str | None  # the signed-in account linked to this record (None when staff registered them)
    hub_id: str
    status: Status = "applicant"
    name: str
    email: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    language: str = "en"
    skills: list[VolunteerSkill] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    availability: list[Slot] = Field(default_factory=list)
    consents: list[Consent] = Field(default_factory=list)
    emergency_contact: EmergencyContact | None = None
    guardian: Guardian | None = None
    checks: list[BackgroundCheck] = Field(default_factory=list)
    accreditations: list[Accreditation] = Field(default_factory=list)
    recognition_opt_in: bool = False
    approved_minutes: int = 0
    milestones: list[int] = Field(default_factory=list)
    calendar_token: str | None = None  # secret of the volunteer's iCalendar feed URL
    registered_via: Literal["self", "staff", "partner"] = "self"
    partner_ref: str | None = None
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None = None
    # Retention: when an inactive volunteer was told their record will be erased unless it is used.
    erasure_notice_at: datetime | None = None
    # First approval: an archived record never approved was an application that was closed.
    approved_at: datetime | None = None
    version: int = 1

    # -- questions ------------------------------------------------------------------------------

    def age_on(self, day: date) -> int | None:
        return age_on(self.date_of_birth, day) if self.date_of_birth else None

    def is_minor_on(self, day: date) -> bool:
        age = self.age_on(day)
        return age is not None and age < ADULT_AGE

    def consent_for(self, purpose: str) -> bool:
        """The latest recorded answer for a purpose (False if never asked)."""
        answers = [c for c in self.consents if c.purpose == purpose]
        return bool(answers) and answers[-1].granted

    def consented_channels(self) -> list[Channel]:
        channels: list[Channel] = []
        if self.email and self.consent_for("channel:email"):
            channels.append("email")
        if self.phone and self.consent_for("channel:sms"):
            channels.append("sms")
        if self.consent_for("channel:inapp"):
            channels.append("inapp")
        return channels

    def skill_level(self, skill_id: str, on_day: date | None = None) -> int:
        """The volunteer's level in a skill; a valid accreditation for it counts as level 3."""
        level = max((s.level for s in self.skills if s.skill_id == skill_id), default=0)
        for acc in self.accreditations:
            if acc.skill_id == skill_id and (acc.expires_on is None or on_day is None or acc.expires_on >= on_day):
                level = max(level, 3)
        return level

    def best_check_on(self, day: date) -> str | None:
        """The highest background-check level that is still valid on ``day``."""
        valid = [c for c in self.checks if c.issued_on <= day <= c.renewal_due]
        if not valid:
            return None
        return max(valid, key=lambda c: CHECK_RANK[c.level]).level

    def has_check(self, level: str, day: date) -> bool:
        best = self.best_check_on(day)
        return best is not None and CHECK_RANK[best] >= CHECK_RANK[level]

    def may_change_own_status(self, sub: str | None, to: str) -> bool:
        """A volunteer may step back (active -> inactive) and return (inactive -> active) themselves."""
        own = sub is not None and sub == self.sub
        return own and (self.status, to) in (("active", "inactive"), ("inactive", "active"))

    # -- changes --------------------------------------------------------------------------------

    def transition(self, to: Status, *, at: datetime, required_check: str | None) -> Status:
        """Move along the lifecycle; approval needs the required background check. Returns the old status."""
        today = at.date()
        if self.erased_at is not None:
            raise Conflict("this volunteer's record was erased")
        if to == self.status:
            raise Conflict(f"the volunteer is already {to}")
        if to not in TRANSITIONS[self.status]:
            allowed = ", ".join(TRANSITIONS[self.status]) or "nothing (archived is final)"
            raise Conflict(f"a volunteer who is {self.status} can move to: {allowed}; not to {to}")
        if to == "approved" and required_check is not None and not self.has_check(required_check, today):
            raise Conflict(
                f"approval needs a valid {required_check} (or higher) background check; record it first",
                missing_check=required_check,
            )
        if to == "approved" and self.is_minor_on(today) and self.guardian is None:
            raise Conflict("an under-18 needs a parent's or guardian's consent before approval")
        previous = self.status
        self.status = to
        if to == "approved" and self.approved_at is None:
            self.approved_at = at
        return previous

    def set_skill(self, skill_id: str, level: int) -> None:
        self.skills = [s for s in self.skills if s.skill_id != skill_id] + [
            VolunteerSkill(skill_id=skill_id, level=level)
        ]

    def record_consent(self, purpose: str, granted: bool, at: datetime, wording_version: str) -> bool:
        """Record an answer if it differs from the current one; True when something changed."""
        if any(c.purpose == purpose for c in self.consents) and self.consent_for(purpose) == granted:
            return False
        self.consents.append(Consent(purpose=purpose, granted=granted, at=at, wording_version=wording_version))
        return True

    def erase(self, now: datetime) -> None:
        """Anonymise: drop every personal detail, keep ids, hours totals and milestones (aggregates)."""
        if self.erased_at is not None:
            raise Conflict("this volunteer's record was already erased")
        self.sub = None
        self.name = "Erased volunteer"
        self.email = None
        self.phone = None
        self.date_of_birth = None
        self.emergency_contact = None
        self.guardian = None
        self.interests = []
        self.availability = []
        self.checks = []
        self.accreditations = []
        self.consents = []
        self.recognition_opt_in = False
        self.partner_ref = None
        self.calendar_token = None
        self.status = "archived"
        self.erased_at = now


def age_on(date_of_birth: date, day: date) -> int:
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def check_registration_age(date_of_birth: date, today: date, has_guardian: bool) -> None:
    """The date-of-birth rule: 14 or older; under-18s need a parent's or guardian's consent."""
    if date_of_birth > today:
        raise RuleViolation(
            "the date of birth is in the future",
            errors=[{"field": "body.date_of_birth", "message": "must be in the past", "type": "value_error"}],
        )
    age = age_on(date_of_birth, today)
    if age < MIN_REGISTRATION_AGE:
        raise RuleViolation(
            f"volunteers must be at least {MIN_REGISTRATION_AGE} years old",
            errors=[{"field": "body.date_of_birth", "message": "too young to register", "type": "value_error"}],
        )
    if age < ADULT_AGE and not has_guardian:
        raise RuleViolation(
            "under-18s need a parent's or guardian's consent: send 'guardian'",
            errors=[{"field": "body.guardian", "message": "required for under-18s", "type": "missing"}],
        )


def check_slots(slots: list[Slot]) -> None:
    for i, slot in enumerate(slots):
        if slot.end <= slot.start:
            raise RuleViolation(
                "an availability window must end after it starts",
                errors=[
                    {"field": f"body.availability.{i}", "message": "end must be after start", "type": "value_error"}
                ],
            )

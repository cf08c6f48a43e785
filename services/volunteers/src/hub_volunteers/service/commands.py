"""What callers ask the use cases to do: request models validated the same way from HTTP and from partner events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from hub_volunteers.domain.roles import CheckNeeded, SkillNeed
from hub_volunteers.domain.volunteers import CheckLevel, Slot

PHONE = r"^\+?[0-9 ]{7,20}$"
Phone = Annotated[str, Field(pattern=PHONE, description="digits and spaces, optionally starting with +")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
HubId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Ref = Annotated[str, Field(min_length=1, max_length=64)]
Tag = Annotated[str, Field(min_length=1, max_length=60)]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SkillClaim(Command):
    skill_id: Ref
    level: int = Field(default=1, ge=1, le=4, description="1 beginner, 2 competent, 3 experienced, 4 expert")


class ChannelConsent(Command):
    email: bool = False
    sms: bool = False
    inapp: bool = True


class ConsentIn(Command):
    data_processing: bool = Field(description="consent to the hub processing your data to organise volunteering")
    channels: ChannelConsent = Field(default_factory=ChannelConsent)
    wording_version: str = Field(min_length=1, max_length=40, description="version of the consent text shown")


class GuardianIn(Command):
    name: Name
    relationship: str = Field(min_length=1, max_length=60)
    phone: Phone | None = None
    email: EmailStr | None = None
    consent: bool = Field(description="the parent or guardian agrees to the under-18 volunteering")


class EmergencyContactIn(Command):
    name: Name
    phone: Phone
    relationship: str | None = Field(default=None, max_length=60)


class RequestSignInLink(Command):
    email: EmailStr


class RegisterVolunteer(Command):
    name: Name
    email: EmailStr | None = None
    phone: Phone | None = None
    hub_id: HubId
    date_of_birth: date
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    skills: list[SkillClaim] = Field(default_factory=list, max_length=50)
    interests: list[Tag] = Field(default_factory=list, max_length=20)
    availability: list[Slot] = Field(default_factory=list, max_length=21)
    consent: ConsentIn
    guardian: GuardianIn | None = None
    emergency_contact: EmergencyContactIn
    recognition_opt_in: bool = False

    @model_validator(mode="after")
    def _reachable(self) -> RegisterVolunteer:
        if self.email is None and self.phone is None:
            raise ValueError("give an email or a phone number so the hub can reach you")
        return self


class PartnerRegistration(RegisterVolunteer):
    """A registration from a partner centre: the partner keeps contact and emergency details."""

    emergency_contact: EmergencyContactIn | None = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _reachable(self) -> PartnerRegistration:  # reached through the partner centre
        return self


class UpdateProfile(Command):
    name: Name | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    interests: list[Tag] | None = Field(default=None, max_length=20)
    availability: list[Slot] | None = Field(default=None, max_length=21)
    channels: ChannelConsent | None = None
    wording_version: str | None = Field(default=None, min_length=1, max_length=40)
    emergency_contact: EmergencyContactIn | None = None
    recognition_opt_in: bool | None = None

    @model_validator(mode="after")
    def _wording_with_channels(self) -> UpdateProfile:
        if self.channels is not None and self.wording_version is None:
            raise ValueError("changing channel consent needs the wording_version of the text shown")
        return self


class Transition(Command):
    to: Literal["approved", "active", "inactive", "archived"]
    reason: str | None = Field(default=None, max_length=500)


class RecordCheck(Command):
    level: CheckLevel
    certificate_ref: str = Field(min_length=1, max_length=64)
    issued_on: date
    renewal_due: date

    @model_validator(mode="after")
    def _order(self) -> RecordCheck:
        if self.renewal_due <= self.issued_on:
            raise ValueError("renewal_due must be after issued_on")
        return self


class AddAccreditation(Command):
    name: Name
    skill_id: Ref | None = None
    issuer: Name
    issued_on: date
    expires_on: date | None = None

    @model_validator(mode="after")
    def _order(self) -> AddAccreditation:
        if self.expires_on is not None and self.expires_on <= self.issued_on:
            raise ValueError("expires_on must be after issued_on")
        return self


class CreateSkill(Command):
    name: Name
    category: str = Field(min_length=1, max_length=60)
    description: str | None = Field(default=None, max_length=1000)


class RoleFields(Command):
    purpose: str | None = Field(default=None, max_length=2000)
    tasks: list[Annotated[str, Field(min_length=1, max_length=300)]] | None = Field(default=None, max_length=30)
    time_commitment: str | None = Field(default=None, max_length=300)
    skills_needed: list[SkillNeed] | None = Field(default=None, max_length=20)
    checks_needed: CheckNeeded | None = None
    training_given: str | None = Field(default=None, max_length=1000)
    support_contact: str | None = Field(default=None, max_length=300, description="a team or role, not a person")
    accessibility: str | None = Field(default=None, max_length=1000)
    open_to_under_18: bool | None = None
    min_age: int | None = Field(default=None, ge=14, le=99)
    issue_categories: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=20, description="issue service codes that suggest a shift of this role"
    )


class CreateRole(RoleFields):
    hub_id: HubId
    title: Name


class UpdateRole(RoleFields):
    title: Name | None = None


class CreateShift(Command):
    role_id: Ref
    starts_at: datetime
    ends_at: datetime
    venue_id: Ref | None = None
    address: str | None = Field(default=None, max_length=500)
    capacity: int = Field(ge=1, le=1000)
    equipment_ids: list[Ref] = Field(default_factory=list, max_length=20, description="equipment from the asset map")
    notes: str | None = Field(default=None, max_length=1000)


class UpdateShift(Command):
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    venue_id: Ref | None = None
    address: str | None = Field(default=None, max_length=500)
    capacity: int | None = Field(default=None, ge=1, le=1000)
    equipment_ids: list[Ref] | None = Field(default=None, max_length=20)
    notes: str | None = Field(default=None, max_length=1000)


class CancelShift(Command):
    reason: str | None = Field(default=None, max_length=500)


class SignUp(Command):
    volunteer_id: Ref | None = Field(default=None, description="staff only: sign up this volunteer")


class Attendance(Command):
    at: datetime | None = Field(default=None, description="staff only: when it happened (default: now)")


class LogHours(Command):
    hours: float = Field(gt=0, le=24)
    worked_on: date
    role_id: Ref | None = None
    shift_id: Ref | None = None
    note: str | None = Field(default=None, max_length=500)

    @field_validator("hours")
    @classmethod
    def _quarter_hours(cls, value: float) -> float:
        return round(value * 4) / 4 or 0.25


class Decision(Command):
    reason: str | None = Field(default=None, max_length=500)


class GiveAward(Command):
    title: Name = "Volunteer of the Month"
    citation: str = Field(min_length=1, max_length=2000)
    period: str | None = Field(default=None, max_length=40, description="e.g. 2026-11")
    public: bool = Field(default=True, description="show on the recognition wall if the volunteer opted in")

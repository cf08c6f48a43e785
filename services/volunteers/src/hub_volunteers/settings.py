from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from hub_common.settings import HubSettings


class VolunteersSettings(HubSettings):
    service_name: ClassVar[str] = "volunteers"
    default_http_port: ClassVar[int] = 8001

    # Hour milestones (whole hours) awarded once each, e.g. HUB_MILESTONE_HOURS='[10,50,100,250,500]'.
    milestone_hours: list[int] = Field(default_factory=lambda: [10, 50, 100, 250, 500])
    # The background check an applicant needs before approval ("none" to approve without one).
    approval_required_check: Literal["none", "basic", "standard", "enhanced"] = "basic"
    # Wording version of the consent text the registration form shows.
    consent_wording_version: str = "2026-01"
    # Accreditations expiring within this many days raise hub.volunteers.accreditation.expiring.v1 (once each).
    accreditation_warning_days: int = Field(default=30, ge=1, le=365)
    accreditation_scan_interval_s: float = Field(default=3600.0, gt=0)
    # Retention: a record archived (the person left, or their application was closed) is erased this
    # many days after its last change, as if they had asked; hours totals and milestones stay.
    archived_volunteer_retention_days: int = Field(default=365, ge=30)
    # An application closed without approval (archived, never approved) is erased sooner.
    closed_application_retention_days: int = Field(default=183, ge=30)
    # An inactive volunteer's record unchanged for this long gets a notice (email and inbox) that it
    # will be erased; it is erased after the notice period unless the record changes meanwhile.
    inactive_volunteer_retention_days: int = Field(default=730, ge=90)
    inactive_volunteer_notice_days: int = Field(default=30, ge=7)
    # The hubs' local time zone: weekly availability and suggested shift times are read in it.
    local_timezone: str = "Europe/London"

    @field_validator("local_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone
        return value

"""The events several use cases (and the demo data) raise, built in one place each."""

from __future__ import annotations

from typing import Any

from hub_common.contracts.contacts import VolunteerContactUpserted
from hub_common.contracts.volunteers import HoursLogged, RolePublished
from hub_volunteers.domain.hours import HoursEntry
from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.shifts import Shift, Signup
from hub_volunteers.domain.volunteers import Volunteer


def role_published(role: Role) -> RolePublished:
    return RolePublished(
        role_id=role.id,
        hub_id=role.hub_id,
        title=role.title,
        skill_ids=[s.skill_id for s in role.skills_needed or []],
        check_level=role.check_level,
        open_to_under_18=role.open_to_under_18,
    )


def shift_snapshot(shift: Shift) -> dict[str, Any]:
    """The public fields of a shift, as its published and updated events carry them."""
    return {
        "shift_id": shift.id,
        "hub_id": shift.hub_id,
        "role_id": shift.role_id,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "venue_id": shift.venue_id,
        "address": shift.address,
        "capacity": shift.capacity,
        "equipment_ids": shift.equipment_ids,
    }


def signup_fields(signup: Signup) -> dict[str, Any]:
    """The fields every sign-up and attendance event carries."""
    return {
        "signup_id": signup.id,
        "shift_id": signup.shift_id,
        "volunteer_id": signup.volunteer_id,
        "hub_id": signup.hub_id,
        "starts_at": signup.starts_at,
    }


def hours_logged(entry: HoursEntry) -> HoursLogged:
    return HoursLogged(
        hours_id=entry.id,
        volunteer_id=entry.volunteer_id,
        hub_id=entry.hub_id,
        role_id=entry.role_id,
        shift_id=entry.shift_id,
        minutes=entry.minutes,
        worked_on=entry.worked_on,
        source=entry.source,
    )


def contact_upserted(volunteer: Volunteer) -> VolunteerContactUpserted:
    """The volunteer's contact details for hub.contacts (never on the public topic)."""
    return VolunteerContactUpserted(
        person_id=volunteer.id,
        display_name=volunteer.name,
        email=volunteer.email,
        phone=volunteer.phone,
        language=volunteer.language,
        hub_ids=[volunteer.hub_id],
        consented_channels=volunteer.consented_channels(),
    )

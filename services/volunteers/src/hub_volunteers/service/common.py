"""Helpers several sub-domains share: new ids, who may act for a volunteer, saving a volunteer."""

from __future__ import annotations

import uuid

from hub_common.auth import Principal
from hub_common.errors import Conflict, Forbidden, NotFound
from hub_common.repository import Session
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.domain.volunteers import Volunteer

NOT_REGISTERED = "your account is not registered as a volunteer yet: POST /v1/volunteers"


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def require_self_or_staff(caller: Principal, volunteer: Volunteer) -> None:
    """The volunteer themselves (their linked account), or staff of their hub."""
    if volunteer.sub is not None and caller.sub == volunteer.sub and caller.role == "resident":
        return
    if caller.is_staff_for(volunteer.hub_id):
        return
    raise Forbidden("only the volunteer themselves or staff of their hub can do this")


async def acting_volunteer(
    caller: Principal, volunteer_id: str | None, hub_id: str, volunteers: VolunteerRepository, session: Session
) -> Volunteer:
    """Whom a sign-up or attendance call acts for: the volunteer staff name, or the caller themselves."""
    if volunteer_id is not None and caller.is_staff:
        caller.require_hub(hub_id)
        return await volunteers.get(volunteer_id, session)
    if caller.role != "resident":
        raise Forbidden("staff name the volunteer (volunteer_id); volunteers sign themselves up")
    volunteer = await volunteers.by_sub(caller.sub, session)
    if volunteer is None:
        raise NotFound(NOT_REGISTERED)
    if volunteer_id is not None and volunteer_id != volunteer.id:
        raise Forbidden("you can only act for yourself")
    return volunteer


async def save_volunteer(
    volunteers: VolunteerRepository, volunteer: Volunteer, seen_version: int, session: Session
) -> None:
    """Store the volunteer read at ``seen_version`` in this transaction (409 if it moved on meanwhile)."""
    if not await volunteers.replace_if_version(volunteer, seen_version, session):
        raise Conflict("the volunteer's record changed at the same moment; try again")

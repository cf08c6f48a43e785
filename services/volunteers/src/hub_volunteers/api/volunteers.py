"""Routes for volunteers: registration, sign-in links, profile, the staff pipeline, lifecycle,
background checks, skills, accreditations and data rights."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response

from hub_common.auth import Principal
from hub_common.http import Caller, Idempotency, IfMatch, Paging, set_etag
from hub_common.pagination import Page
from hub_volunteers.api.deps import HubQuery, PersonalData, Volunteers
from hub_volunteers.api.schemas import VolunteerSummary
from hub_volunteers.domain.volunteers import Status, Volunteer
from hub_volunteers.service import commands as cmd

router = APIRouter(prefix="/v1/volunteers", tags=["volunteers"])


def _shown(response: Response, volunteer: Volunteer, caller: Principal) -> Volunteer:
    """The record with its ETag; the calendar feed secret is shown to the volunteer alone."""
    set_etag(response, volunteer.version)
    if volunteer.sub is None or volunteer.sub != caller.sub:
        volunteer = volunteer.model_copy(update={"calendar_token": None})
    return volunteer


@router.post("", status_code=201, summary="Register as a volunteer (or staff/partner register someone)")
async def register(
    body: cmd.RegisterVolunteer, response: Response, caller: Caller, volunteers: Volunteers, idempotency: Idempotency
) -> Volunteer:
    volunteer = await volunteers.register(caller, body, idempotency)
    response.headers["Location"] = f"/v1/volunteers/{volunteer.id}"
    return _shown(response, volunteer, caller)


@router.post(
    "/sign-in-links",
    status_code=202,
    summary="Email a volunteer a link to sign in again (open to anyone; the answer is the same either way)",
)
async def request_sign_in_link(body: cmd.RequestSignInLink, volunteers: Volunteers) -> dict[str, str]:
    await volunteers.request_sign_in_link(str(body.email))
    return {"detail": "If a volunteer has this email address, we have sent them a link to sign in."}


@router.get("/me", summary="Your own volunteer record")
async def me(caller: Caller, response: Response, volunteers: Volunteers) -> Volunteer:
    return _shown(response, await volunteers.me(caller), caller)


@router.get("", summary="Staff pipeline: a hub's volunteers by status, oldest first")
async def pipeline(
    caller: Caller, page: Paging, hub_id: HubQuery, volunteers: Volunteers, status: Status = "applicant"
) -> Page[VolunteerSummary]:
    rows, cursor = await volunteers.pipeline(caller, hub_id, status, page)
    return Page[VolunteerSummary](items=[VolunteerSummary(**r) for r in rows], next_cursor=cursor)


@router.get("/{volunteer_id}", summary="A volunteer's record (themselves or staff of their hub)")
async def get_volunteer(volunteer_id: str, caller: Caller, response: Response, volunteers: Volunteers) -> Volunteer:
    return _shown(response, await volunteers.get(caller, volunteer_id), caller)


@router.patch("/{volunteer_id}", summary="Update contact details, availability, interests, channel consent")
async def update(
    volunteer_id: str,
    body: cmd.UpdateProfile,
    caller: Caller,
    expected: IfMatch,
    response: Response,
    volunteers: Volunteers,
) -> Volunteer:
    return _shown(response, await volunteers.update_profile(caller, volunteer_id, body, expected), caller)


@router.post("/{volunteer_id}/status", summary="Staff: move along applicant → approved → active → inactive → archived")
async def transition(
    volunteer_id: str,
    body: cmd.Transition,
    caller: Caller,
    expected: IfMatch,
    response: Response,
    volunteers: Volunteers,
) -> Volunteer:
    return _shown(response, await volunteers.transition(caller, volunteer_id, body, expected), caller)


@router.post("/{volunteer_id}/checks", status_code=201, summary="Staff: record a background check")
async def record_check(
    volunteer_id: str, body: cmd.RecordCheck, caller: Caller, response: Response, volunteers: Volunteers
) -> Volunteer:
    return _shown(response, await volunteers.record_check(caller, volunteer_id, body), caller)


@router.post("/{volunteer_id}/skills", status_code=201, summary="Add a skill (or change its level)")
async def add_skill(
    volunteer_id: str, body: cmd.SkillClaim, caller: Caller, response: Response, volunteers: Volunteers
) -> Volunteer:
    return _shown(response, await volunteers.add_skill(caller, volunteer_id, body), caller)


@router.post("/{volunteer_id}/accreditations", status_code=201, summary="Staff: record training/accreditation")
async def add_accreditation(
    volunteer_id: str, body: cmd.AddAccreditation, caller: Caller, response: Response, volunteers: Volunteers
) -> Volunteer:
    return _shown(response, await volunteers.add_accreditation(caller, volunteer_id, body), caller)


@router.get("/{volunteer_id}/export", summary="Everything the service holds about a volunteer (JSON)")
async def export(volunteer_id: str, caller: Caller, personal_data: PersonalData) -> dict[str, Any]:
    return await personal_data.export(caller, volunteer_id)


@router.post("/{volunteer_id}/erase", summary="Erase: anonymise the record, keep aggregate hours")
async def erase(volunteer_id: str, caller: Caller, personal_data: PersonalData) -> dict[str, Literal["erased"] | str]:
    volunteer = await personal_data.erase(caller, volunteer_id)
    return {"id": volunteer.id, "status": "erased"}

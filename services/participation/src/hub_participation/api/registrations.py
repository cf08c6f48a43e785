"""``/v1/meetings/{meeting_id}/registration``: a resident's place at a forum meeting (register, see,
cancel); the access needs stated, for the hub's staff."""

from __future__ import annotations

from fastapi import APIRouter

from hub_common.http import Caller, Idempotency
from hub_participation.api.deps import Editor, Registrations, Resident
from hub_participation.api.meeting_schemas import AccessNeedsOut, RegisterIn, RegistrationOut

router = APIRouter(prefix="/v1/meetings/{meeting_id}", tags=["registrations"])


@router.post("/registration", summary="Register for a meeting (signed-in residents; once each)")
async def register(
    meeting_id: str, body: RegisterIn, caller: Resident, registrations: Registrations, idempotency: Idempotency
) -> RegistrationOut:
    outcome = await registrations.register(
        caller,
        meeting_id,
        access_needs=body.access_needs.strip() if body.access_needs else None,
        contact=body.contact.contact() if body.contact else None,
        idempotency=idempotency,
    )
    return RegistrationOut(**outcome.model_dump())


@router.get("/registration", summary="Your registration for a meeting")
async def my_registration(meeting_id: str, caller: Caller, registrations: Registrations) -> RegistrationOut:
    return RegistrationOut(**(await registrations.mine(caller, meeting_id)).model_dump())


@router.delete("/registration", summary="Give up your place (the first on the waitlist gets it)")
async def cancel_registration(meeting_id: str, caller: Resident, registrations: Registrations) -> RegistrationOut:
    return RegistrationOut(**(await registrations.cancel(caller, meeting_id)).model_dump())


@router.get("/access-needs", summary="The access needs registrants stated, without whose (the hub's staff)")
async def access_needs(meeting_id: str, caller: Editor, registrations: Registrations) -> AccessNeedsOut:
    return AccessNeedsOut(**(await registrations.access_needs(caller, meeting_id)).model_dump())

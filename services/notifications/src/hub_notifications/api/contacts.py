"""Erasure of a person from notifications' own records (the contact book and all it reaches)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from hub_common.http import Caller
from hub_notifications.api.deps import Contacts

router = APIRouter(prefix="/v1/contacts", tags=["privacy"])


@router.delete(
    "/me",
    status_code=204,
    summary="Forget me: my contact details, preferences, follows and the text of my messages",
)
async def forget_me(principal: Caller, contacts: Contacts) -> Response:
    await contacts.erase(principal, principal.sub)
    return Response(status_code=204)


@router.delete(
    "/{person_id}",
    status_code=204,
    summary="Erase a person (operators: a request by phone or letter, or a staff address no longer needed)",
)
async def erase(
    person_id: Annotated[str, Path(min_length=1, max_length=128)], principal: Caller, contacts: Contacts
) -> Response:
    await contacts.erase(principal, person_id)
    return Response(status_code=204)

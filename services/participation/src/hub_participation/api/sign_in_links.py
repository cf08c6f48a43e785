"""``/v1/sign-in-links``: a resident asks for a link, emailed to them, that signs them in by their
address (open to anyone: the answer is the same whatever the address)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import EmailStr, Field

from hub_common.http import use_case
from hub_participation.api.schemas import HUB_ID, Strict
from hub_participation.service.sign_in_links import SignInLinkService

router = APIRouter(tags=["sign-in links"])
SignInLinks = Annotated[SignInLinkService, use_case(lambda uc: uc.sign_in_links)]


class SignInLinkIn(Strict):
    email: EmailStr
    return_to: str = Field(
        default="/",
        min_length=1,
        max_length=200,
        pattern=r"^/[A-Za-z0-9/_-]*$",
        description="the web page the link opens, signed in (a path: no host or query)",
    )
    hub_id: str | None = Field(default=None, pattern=HUB_ID, description="the hub the page is about, if one")
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$", description="the email's language")


@router.post(
    "/v1/sign-in-links",
    status_code=202,
    summary="Email a resident a link that signs them in by their address (the answer is the same either way)",
)
async def request_sign_in_link(body: SignInLinkIn, links: SignInLinks) -> dict[str, str]:
    await links.request(str(body.email), body.return_to, body.hub_id, body.language)
    return {"detail": "We have sent a link to sign in to this address, if it can receive email."}

"""Residents sign in with their email: a link emailed to the address signs the browser in as the
resident that address stands for, and marks the session verified (``Session.verified``).

A browser's own resident (``web-<uuid>``, made up on its first report or 'me too') is new whenever
its cookies are cleared, so it cannot be the one voter of a budgeting round's "one ballot each", nor
a survey's one respondent.
The participation service derives a resident from an address (a keyed hash: the same person on
every device) and has notifications email the link; the link lands here with its short-lived token.
Only a token whose sub is such an email-derived one marks the session verified: the pages that
take a vote or a survey answer ask for it, and the service refuses a ballot or an answer from
anyone else.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from hub_common.residents import is_email_resident
from hub_web import forms, i18n
from hub_web.clients import ServiceProblem
from hub_web.deps import Form, WebDep
from hub_web.i18n import _
from hub_web.routes.auth import safe_next

router = APIRouter(include_in_schema=False)

PAGE = "email_sign_in.html"
# What the participation service takes as the page to return to: a path, no query or fragment.
RETURN_TO = re.compile(r"^/[A-Za-z0-9/_-]{0,199}$")
HUB_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


def return_path(value: str | None) -> str:
    """The page to come back to once signed in: a plain path of this site, or the home page."""
    path = safe_next(value, "/")
    return path if RETURN_TO.match(path) else "/"


def check_hub(value: str | None) -> str | None:
    return value if value and HUB_ID.match(value) else None


@router.get("/sign-in/email", response_class=HTMLResponse)
async def sign_in_page(
    request: Request,
    web: WebDep,
    next: Annotated[str | None, Query(max_length=200)] = None,
    hub_id: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    return await web.render(
        request,
        PAGE,
        title=_("Sign in with your email"),
        sent=False,
        next=return_path(next),
        hub_id=check_hub(hub_id),
    )


@router.post("/sign-in/email", response_class=HTMLResponse)
async def send_link(request: Request, web: WebDep, form: Form) -> HTMLResponse:
    email, errors = forms.check_email(form, missing=_("Enter your email address"))
    next_, hub_id = return_path(form.one("next")), check_hub(form.one("hub_id"))
    if not errors:
        try:
            await web.services.participation.request_sign_in_link(email, next_, hub_id, i18n.current())
        except ServiceProblem as problem:
            if problem.status != 422:
                raise
            errors.add("email", _(forms.EMAIL_FORMAT))
    if errors:
        title = _("Sign in with your email")
        return await web.render(
            request, PAGE, status=400, title=title, errors=errors, form=form, sent=False, next=next_, hub_id=hub_id
        )
    return await web.render(request, PAGE, title=_("Check your email"), sent=True, email=email, next=next_)


@router.get("/sign-in/email/done")
async def signed_in_by_link(
    request: Request,
    web: WebDep,
    token: Annotated[str | None, Query(max_length=2000)] = None,
    next: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The emailed link: sign this browser in as the resident the address stands for, verified, and
    go on to the page they asked from (the token leaves the address bar with the redirect)."""
    next_ = return_path(next)
    principal = await web.link_principal(token) if token else None
    session = web.session(request)
    if principal is None or not is_email_resident(principal.sub):
        session.set_flash(_("That link has expired or is not right. Ask for a new one below."))
        return web.redirect(f"/sign-in/email?next={next_}")
    if session.is_staff:  # a staff member testing the link on their own browser stays signed in as staff
        session.set_flash(_("You are signed in as staff: sign out first to sign in as a resident."))
        return web.redirect(next_)
    session.sign_in(
        kind="resident",
        sub=principal.sub,
        role="resident",
        hubs=principal.hubs,
        ttl=timedelta(days=web.settings.resident_session_days),
        verified=True,
    )
    session.set_flash(_("You are signed in with your email address."))
    return web.redirect(next_)

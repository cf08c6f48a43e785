"""Personal data pages: a resident asks for their data to be deleted or sent to them (confirmed by a
link emailed to the address, downloaded by another), and the privacy team logs and follows requests
received by letter, phone or email, with each service's answer and the due date."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from hub_common.auth import PRIVACY_ROLES
from hub_web import forms
from hub_web.clients import ServiceProblem
from hub_web.deps import Form, NeedsSignIn, WebDep
from hub_web.forms import Errors, FormData
from hub_web.i18n import N_, _
from hub_web.web import Web

router = APIRouter(include_in_schema=False)
KINDS = {
    "access": (N_("Send me a copy of my data"), N_("We email you a link to download everything we hold about you.")),
    "erasure": (
        N_("Delete everything about me"),
        N_(
            "Your reports stay on the map without your name; your volunteering record, bookings' details, "
            "contact details and messages are deleted. We cannot contact you afterwards."
        ),
    ),
}
Token = Annotated[str, Query(min_length=1, max_length=4000)]
GONE = N_("This link has been used already or has expired. You can ask again.")


# -- residents -------------------------------------------------------------------------------------


@router.get("/privacy/request", response_class=HTMLResponse)
async def request_page(request: Request, web: WebDep) -> HTMLResponse:
    return await web.render(request, "privacy/request.html", title=_("Your personal data"), kinds=KINDS, sent=False)


@router.post("/privacy/request", response_class=HTMLResponse)
async def ask(request: Request, web: WebDep, form: Form) -> HTMLResponse:
    kind = form.one("kind")
    email, errors = forms.check_email(form, missing="Enter the email address you gave us")
    if kind not in KINDS:
        errors.add("kind", _("Choose what you would like us to do"))
    if not errors:
        try:
            await web.services.notifications.ask_privacy(kind, email)
        except ServiceProblem as problem:
            if problem.status == 429:
                errors.add("email", _("You have asked several times today. Please try again tomorrow."))
            elif problem.status == 422:
                errors.add("email", _(forms.EMAIL_FORMAT))
            else:
                raise
    if errors:
        return await web.render(
            request,
            "privacy/request.html",
            status=400,
            title=_("Your personal data"),
            kinds=KINDS,
            errors=errors,
            form=form,
            sent=False,
        )
    return await web.render(request, "privacy/request.html", title=_("Check your email"), sent=True, email=email)


@router.get("/privacy/confirm/{confirmation_id}", response_class=HTMLResponse)
async def confirm_page(request: Request, web: WebDep, confirmation_id: str, token: Token) -> HTMLResponse:
    if not await _link_for(web, token, f"privacy-confirmation:{confirmation_id}"):
        return await _gone(request, web)
    return await web.render(
        request, "privacy/confirm.html", title=_("Confirm your request"), confirmation_id=confirmation_id, token=token
    )


@router.post("/privacy/confirm/{confirmation_id}", response_class=HTMLResponse)
async def confirm(request: Request, web: WebDep, form: Form, confirmation_id: str) -> HTMLResponse:
    token = form.one("token")
    if not await _link_for(web, token, f"privacy-confirmation:{confirmation_id}"):
        return await _gone(request, web)
    try:
        answer = await web.services.notifications.confirm_privacy(token, confirmation_id)
    except ServiceProblem as problem:
        if problem.status in (403, 404, 410):
            return await _gone(request, web)
        raise
    return await web.render(request, "privacy/confirmed.html", title=_("Thank you"), kind=answer["kind"])


@router.get("/privacy/exports/{request_id}")
async def download(request: Request, web: WebDep, request_id: str, token: Token) -> Response:
    if not await _link_for(web, token, f"privacy-export:{request_id}"):
        return await _gone(request, web)
    try:
        archive = await web.services.notifications.privacy_export(token, request_id)
    except ServiceProblem as problem:
        if problem.status in (403, 404, 409, 410):
            return await _gone(request, web)
        raise
    return _zip(archive, "your-data.zip")


async def _link_for(web: Web, token: str, sub: str) -> bool:
    """The emailed link's token signs in as this confirmation or export, and nothing else."""
    principal = await web.link_principal(token) if token else None
    return principal is not None and principal.sub == sub


async def _gone(request: Request, web: Web) -> HTMLResponse:
    return await web.render(request, "privacy/gone.html", status=410, title=_("This link no longer works"), why=_(GONE))


def _zip(archive: bytes, filename: str) -> Response:
    return Response(
        archive,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


# -- the privacy team ------------------------------------------------------------------------------


async def privacy_team(request: Request, web: Web) -> str:
    """The signed-in privacy officer's (or operator's) service token; anyone else is sent to sign in."""
    session = web.session(request)
    if not (session.signed_in and session.role in PRIVACY_ROLES):
        raise NeedsSignIn(quote(request.url.path))
    return await web.token(request) or ""


async def queue_page(
    request: Request, web: Web, token: str, form: FormData, errors: Errors | None = None
) -> HTMLResponse:
    """The open requests and the form to log one (with what was typed and its errors, after a refusal)."""
    requests = await web.services.notifications.privacy_requests(token)
    return await web.render(
        request,
        "staff/privacy.html",
        status=400 if errors else 200,
        title="Privacy requests",
        requests=requests,
        kinds=KINDS,
        errors=errors,
        form=form,
    )


@router.get("/staff/privacy", response_class=HTMLResponse)
async def queue(request: Request, web: WebDep) -> HTMLResponse:
    token = await privacy_team(request, web)
    return await queue_page(request, web, token, FormData([("idempotency_key", uuid.uuid4().hex)]))


@router.post("/staff/privacy", response_class=HTMLResponse)
async def log_request(request: Request, web: WebDep, form: Form) -> Response:
    token = await privacy_team(request, web)
    body, errors = _logged(form)
    if not errors:
        key = form.one("idempotency_key") or uuid.uuid4().hex
        try:
            opened = await web.services.notifications.open_privacy_request(token, body, key)
        except ServiceProblem as problem:
            if problem.status != 422:
                raise
            for error in problem.errors:
                errors.add(str(error.get("field", "email")).removeprefix("body."), str(error.get("message")))
        else:
            return web.redirect(f"/staff/privacy/{opened['id']}")
    return await queue_page(request, web, token, form, errors)


@router.get("/staff/privacy/{request_id}", response_class=HTMLResponse)
async def one_request(request: Request, web: WebDep, request_id: str) -> HTMLResponse:
    token = await privacy_team(request, web)
    found = await web.services.notifications.privacy_request(token, request_id)
    return await web.render(request, "staff/privacy_request.html", title=f"Request {found['reference']}", r=found)


@router.get("/staff/privacy/{request_id}/export")
async def team_download(request: Request, web: WebDep, request_id: str) -> Response:
    token = await privacy_team(request, web)
    return _zip(await web.services.notifications.privacy_export(token, request_id), f"subject-access-{request_id}.zip")


def _logged(form: FormData) -> tuple[dict[str, str | None], Errors]:
    """A request as the privacy team received it: what, whose (email and/or phone), reference, how."""
    errors = Errors()
    kind, email, phone = form.one("kind"), form.one("email"), form.one("phone")
    reference, reason = form.one("reference"), form.one("reason")
    if kind not in KINDS:
        errors.add("kind", "Choose what the person asked for")
    if not email and not phone:
        errors.add("email", "Enter the person's email address or phone number")
    elif email and not forms.EMAIL.match(email):
        errors.add("email", _(forms.EMAIL_FORMAT))
    if not reference:
        errors.add("reference", "Enter your case reference")
    if not reason:
        errors.add("reason", "Say how the request was received and how you checked who asked")
    return {
        "kind": kind,
        "email": email or None,
        "phone": phone or None,
        "reference": reference,
        "reason": reason,
    }, errors

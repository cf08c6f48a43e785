"""Signing in and out: staff with configured accounts; volunteers by a link emailed to them (asked for
here, or in a message from their hub) or, in development only, by choosing a demo volunteer."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from hub_web import forms
from hub_web.clients import ServiceProblem
from hub_web.deps import Form, NotAllowed, WebDep
from hub_web.forms import Errors
from hub_web.i18n import _
from hub_web.oidc import home_url

router = APIRouter(include_in_schema=False)

# The demo volunteers seeded by the volunteers service (HUB_DEMO_DATA), by their account ids.
DEMO_VOLUNTEERS = (
    ("demo-vol-amira-account", "Amira Khan (active volunteer, Northfield)"),
    ("demo-vol-jo-account", "Jo Walker (active volunteer, Riverside)"),
    ("demo-vol-tom-account", "Tom Price (applicant, Northfield)"),
)


def safe_next(value: str | None, default: str) -> str:
    """Only same-site paths: never send someone on to another website after signing in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def staff_sign_in_options(web: WebDep) -> dict[str, object]:
    """How staff can sign in here: the council's provider when configured, and passwords for the
    accounts configured here (the demo ones only in development: the settings refuse them elsewhere)."""
    return {
        "oidc_provider": web.settings.oidc_provider_name if web.oidc is not None else None,
        "password_accounts": len(web.accounts) > 0,
        "demo_accounts": web.settings.demo_accounts,
    }


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(
    request: Request, web: WebDep, next: Annotated[str | None, Query(max_length=500)] = None
) -> HTMLResponse:
    return await web.render(
        request,
        "sign_in.html",
        title="Sign in",
        next_url=safe_next(next, ""),
        demo_volunteers=DEMO_VOLUNTEERS if web.settings.dev_sign_in else (),
        **staff_sign_in_options(web),
    )


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, web: WebDep, form: Form) -> Response:
    errors = Errors()
    username, password = form.one("username"), form.raw("password")
    if not username:
        errors.add("username", "Enter your username")
    if not password:
        errors.add("password", "Enter your password")
    account = web.accounts.authenticate(username, password) if not errors else None
    if not errors and account is None:
        errors.add("username", "The username or password is not right")
    if errors or account is None:
        return await web.render(
            request,
            "sign_in.html",
            status=400,
            title="Sign in",
            errors=errors,
            form=form,
            next_url=safe_next(form.one("next"), ""),
            demo_volunteers=DEMO_VOLUNTEERS if web.settings.dev_sign_in else (),
            **staff_sign_in_options(web),
        )
    web.session(request).sign_in(
        kind="staff",
        sub=f"staff-{account.username}",
        role=account.role,
        hubs=account.hubs,
        name=account.name,
        ttl=timedelta(hours=web.settings.staff_session_hours),
    )
    return web.redirect(safe_next(form.one("next"), staff_home(account.role)))


def staff_home(role: str) -> str:
    # The privacy team runs no hub; a councillor is not hub staff: they start from their ward's brief.
    if role == "councillor":
        return "/councillor"
    return "/staff/privacy" if role == "privacy" else "/staff"


@router.post("/sign-out")
async def sign_out(request: Request, web: WebDep, form: Form) -> Response:
    session = web.session(request)
    signed_in_by_provider = session.kind == "staff" and (session.sub or "").startswith("oidc-")
    session.sign_out()
    session.set_flash("You have signed out.")
    if signed_in_by_provider and web.oidc is not None:
        # Also end the session at the council's provider, or the next "Sign in with..." would let
        # whoever uses this browser in without a password.
        logout = await web.oidc.logout_url(home_url(web.settings, request))
        if logout:
            return web.redirect(logout)
    return web.redirect("/")


@router.post("/dev/sign-in")
async def dev_sign_in(request: Request, web: WebDep, form: Form) -> Response:
    """Development only: sign in as a seeded demo volunteer (production: the council's identity provider)."""
    if not web.settings.dev_sign_in:
        raise NotAllowed("Signing in without a password is switched off.")
    sub = form.one("sub")
    if sub not in dict(DEMO_VOLUNTEERS):
        raise NotAllowed("Choose one of the demo volunteers.")
    # Back to where they were going: a shift's check-in code opened before signing in, say.
    return await sign_in_volunteer(request, web, sub, safe_next(form.one("next"), "/volunteer/me"))


async def sign_in_volunteer(request: Request, web: WebDep, sub: str, next_url: str = "/volunteer/me") -> Response:
    probe = await web.issuer.on_behalf_of(sub, "resident")
    try:
        volunteer, _etag = await web.services.volunteers.me(probe)
    except ServiceProblem as problem:
        if problem.status != 404:
            raise
        raise NotAllowed("There is no volunteer record for this account.") from None
    web.session(request).sign_in(
        kind="volunteer",
        sub=sub,
        role="resident",
        name=volunteer["name"],
        volunteer_id=volunteer["id"],
        ttl=timedelta(days=web.settings.resident_session_days),
    )
    return web.redirect(next_url)


@router.get("/volunteer/sign-in-link", response_class=HTMLResponse)
async def sign_in_link_page(request: Request, web: WebDep) -> HTMLResponse:
    return await web.render(request, "volunteer/sign_in_link.html", title="Get a link to sign in", sent=False)


@router.post("/volunteer/sign-in-link", response_class=HTMLResponse)
async def send_sign_in_link(request: Request, web: WebDep, form: Form) -> HTMLResponse:
    email, errors = forms.check_sign_in_email(form)
    if not errors:
        try:
            await web.services.volunteers.request_sign_in_link(email)
        except ServiceProblem as problem:
            if problem.status != 422:
                raise
            errors.add("email", _(forms.EMAIL_FORMAT))
    if errors:
        title = "Get a link to sign in"
        return await web.render(
            request, "volunteer/sign_in_link.html", status=400, title=title, errors=errors, form=form, sent=False
        )
    return await web.render(request, "volunteer/sign_in_link.html", title="Check your email", sent=True, email=email)


async def sign_in_volunteer_by_link(request: Request, web: WebDep, token: str) -> Response:
    """The link a volunteer asked for carries their account's short-lived token: sign this browser in."""
    principal = await web.link_principal(token)
    if principal is None:
        web.session(request).set_flash("That link has expired or is not right. Ask for a new one below.")
        return web.redirect("/volunteer/sign-in-link")
    return await sign_in_volunteer(request, web, principal.sub)

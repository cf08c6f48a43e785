"""Volunteers: register with consent, see and sign up to shifts that fit, hours and recognition,
contact preferences, and export or erase their data (the volunteers service does every check)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from hub_web import forms
from hub_web.clients import ServiceProblem
from hub_web.deps import Form, NeedsSignIn, WebDep
from hub_web.forms import Errors, FormData
from hub_web.routes.auth import sign_in_volunteer_by_link
from hub_web.session import Session
from hub_web.web import Web

router = APIRouter(include_in_schema=False)

CHANNELS = [("email", "Email"), ("sms", "Text message"), ("inapp", "Messages on this website")]
DIGESTS = [("off", "As things happen"), ("daily", "Once a day, in one email"), ("weekly", "Once a week, in one email")]
STATUS_EXPLAINED = {
    "applicant": "Thank you for registering. The hub will check your details and contact you. "
    "You can sign up to shifts once you are approved.",
    "approved": "You are approved. Choose a shift below to get started.",
    "active": "You are an active volunteer.",
    "inactive": "You are taking a break from volunteering.",
    "archived": "Your volunteering has ended.",
}
HOURS_STATUS = {"pending": "Waiting for approval", "approved": "Approved", "rejected": "Not approved"}
EXPIRY_WARNING = timedelta(days=30)  # as the volunteers service warns before an accreditation expires


def volunteer_session(request: Request) -> Session:
    session: Session = request.state.session
    if not (session.signed_in and session.kind == "volunteer" and session.volunteer_id):
        raise NeedsSignIn(request.url.path)
    return session


async def role_titles(web: Web, hub_ids: set[str]) -> dict[str, str]:
    titles: dict[str, str] = {}
    for hub_id in hub_ids:
        titles |= {r["id"]: r["title"] for r in await web.services.volunteers.roles(hub_id)}
    return titles


@router.get("/volunteer", response_class=HTMLResponse)
async def volunteer_home(
    request: Request, web: WebDep, hub_id: Annotated[str | None, Query(max_length=64)] = None
) -> HTMLResponse:
    hubs = await web.hubs()
    session = web.session(request)
    hub = next((h for h in hubs if h["id"] == hub_id), None)
    volunteer = None
    if hub is None and session.kind == "volunteer" and session.volunteer_id and session.signed_in:
        volunteer, _etag = await web.services.volunteers.me(await web.token(request) or "")
        hub = next((h for h in hubs if h["id"] == volunteer["hub_id"]), None)
    hub = hub or (hubs[0] if hubs else None)
    if hub is None:
        return await web.render(request, "volunteer/home.html", title="Volunteer", hubs=hubs, roles=[], shifts=[])
    roles = await web.services.volunteers.roles(hub["id"])
    shifts = await web.services.volunteers.shifts(hub["id"])
    fits: dict[str, str] = {}
    can_sign_up = False
    if session.kind == "volunteer" and session.volunteer_id and session.signed_in:
        token = await web.token(request) or ""
        volunteer = volunteer or (await web.services.volunteers.me(token))[0]
        can_sign_up = volunteer["status"] in ("approved", "active")
        if can_sign_up:
            recommended = await web.services.volunteers.recommended(token, volunteer["id"])
            fits = {r["shift_id"]: r["explanation"] for r in recommended}
    titles = {r["id"]: r["title"] for r in roles}
    return await web.render(
        request,
        "volunteer/home.html",
        title="Volunteer with your hub",
        hub=hub,
        hubs=hubs,
        roles=roles,
        shifts=shifts,
        titles=titles,
        fits=fits,
        volunteer=volunteer,
        can_sign_up=can_sign_up,
        idempotency_key=uuid.uuid4().hex,
    )


@router.get("/volunteer/roles/{role_id}", response_class=HTMLResponse)
async def role_page(request: Request, role_id: str, web: WebDep) -> HTMLResponse:
    role = await web.services.volunteers.role(role_id)
    hub = next((h for h in await web.hubs() if h["id"] == role["hub_id"]), None)
    skills = {s["id"]: s["name"] for s in await web.services.volunteers.skills()}
    return await web.render(request, "volunteer/role.html", title=role["title"], hub=hub, role=role, skills=skills)


# -- registration ------------------------------------------------------------------------------


async def render_register(request: Request, web: Web, form: FormData, errors: Errors | None = None) -> HTMLResponse:
    return await web.render(
        request,
        "volunteer/register.html",
        status=400 if errors else 200,
        title="Register to volunteer",
        errors=errors,
        form=form,
        hubs=await web.hubs(),
        skills=await web.services.volunteers.skills(),
        days=forms.DAYS,
        parts=[(k, v[0]) for k, v in forms.DAY_PARTS.items()],
        channels=CHANNELS,
    )


@router.get("/volunteer/register", response_class=HTMLResponse)
async def register_page(
    request: Request, web: WebDep, hub_id: Annotated[str | None, Query(max_length=64)] = None
) -> Response:
    session = web.session(request)
    if session.signed_in and session.kind == "volunteer":
        return web.redirect("/volunteer/me")
    start = [("idempotency_key", uuid.uuid4().hex), ("channels", "email"), ("channels", "inapp")]
    return await render_register(request, web, FormData([*start, *([("hub_id", hub_id)] if hub_id else [])]))


@router.post("/volunteer/register", response_class=HTMLResponse)
async def register(request: Request, web: WebDep, form: Form) -> Response:
    hubs = await web.hubs()
    skills = await web.services.volunteers.skills()
    body, errors = forms.check_registration(
        form, hub_ids=[h["id"] for h in hubs], skill_ids=[s["id"] for s in skills], today=date.today()
    )
    if errors:
        return await render_register(request, web, form, errors)
    session = web.session(request)
    if session.is_staff:
        errors.general.append("Sign out of the staff console to register as a volunteer yourself.")
        return await render_register(request, web, form, errors)
    token = await web.resident_token(request)
    try:
        volunteer = await web.services.volunteers.register(token, body, form.one("idempotency_key") or uuid.uuid4().hex)
    except ServiceProblem as problem:
        if problem.status not in (409, 422):
            raise
        if problem.status == 409:
            errors.add("email", "You have already registered with this email. Get a link to sign in instead.")
        else:
            errors = forms.from_problem(problem, forms.REGISTRATION_FIELDS)
        return await render_register(request, web, form, errors)
    session.sign_in(
        kind="volunteer",
        sub=session.sub or "",
        role="resident",
        name=volunteer["name"],
        volunteer_id=volunteer["id"],
        ttl=timedelta(days=web.settings.resident_session_days),
    )
    session.set_flash("You have registered to volunteer. The hub will be in touch about the next steps.")
    return web.redirect("/volunteer/me")


# -- your volunteering -----------------------------------------------------------------------


@router.get("/volunteer/me", response_class=HTMLResponse)
async def my_volunteering(
    request: Request, web: WebDep, token: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    if token is not None:  # the link they asked for by email; the redirect drops the token from the address
        return await sign_in_volunteer_by_link(request, web, token)
    session = volunteer_session(request)
    token = await web.token(request) or ""
    client = web.services.volunteers
    volunteer, _etag = await client.me(token)
    now = datetime.now(UTC)
    signups = [
        s
        for s in await client.signups(token, volunteer["id"])
        if s["status"] != "cancelled" and datetime.fromisoformat(s["starts_at"]) >= now - timedelta(hours=12)
    ]
    titles = await role_titles(web, {volunteer["hub_id"]})
    hub = next((h for h in await web.hubs() if h["id"] == volunteer["hub_id"]), None)
    session.name = volunteer["name"]
    return await web.render(
        request,
        "volunteer/me.html",
        title="Your volunteering",
        hub=hub,
        volunteer=volunteer,
        explained=STATUS_EXPLAINED.get(volunteer["status"], ""),
        signups=signups,
        titles=titles,
        totals=await client.totals(token, volunteer["id"]),
        awards=[a for a in await client.awards(token, volunteer["id"]) if a["kind"] != "milestone"],
        hours=await client.hours(token, volunteer["id"], limit=20),
        accreditations=accreditations_shown(volunteer, date.today()),
        hours_status=HOURS_STATUS,
    )


def accreditations_shown(volunteer: dict[str, Any], today: date) -> list[dict[str, Any]]:
    """The volunteer's accreditations, latest first, each saying whether it has expired or soon will."""
    shown = []
    for acc in sorted(volunteer.get("accreditations", []), key=lambda a: a["issued_on"], reverse=True):
        expires = date.fromisoformat(acc["expires_on"]) if acc.get("expires_on") else None
        state = "valid" if expires is None or expires > today + EXPIRY_WARNING else "expiring"
        shown.append({**acc, "state": "expired" if expires and expires < today else state})
    return shown


@router.post("/volunteer/shifts/{shift_id}/sign-up")
async def sign_up(request: Request, shift_id: str, web: WebDep, form: Form) -> Response:
    session = volunteer_session(request)
    token = await web.token(request) or ""
    try:
        signup = await web.services.volunteers.sign_up(token, shift_id, form.one("idempotency_key") or uuid.uuid4().hex)
    except ServiceProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        session.set_flash(f"We could not sign you up: {problem.detail}")
        return web.redirect(f"/volunteer?hub_id={form.one('hub_id')}" if form.one("hub_id") else "/volunteer")
    if signup["status"] == "confirmed":
        session.set_flash("You are signed up to the shift. We will remind you the day before.")
    else:
        session.set_flash("The shift is full, so you are on the waiting list. We will tell you if a place comes up.")
    return web.redirect("/volunteer/me")


@router.post("/volunteer/shifts/{shift_id}/cancel")
async def cancel_signup(request: Request, shift_id: str, web: WebDep, form: Form) -> Response:
    session = volunteer_session(request)
    await web.services.volunteers.cancel_signup(await web.token(request) or "", shift_id, session.volunteer_id or "")
    session.set_flash("You are no longer signed up to that shift.")
    return web.redirect("/volunteer/me")


# -- preferences and data rights ---------------------------------------------------------------


def consented(volunteer: dict[str, Any], channel: str) -> bool:
    answers = [c for c in volunteer.get("consents", []) if c["purpose"] == f"channel:{channel}"]
    return bool(answers) and answers[-1]["granted"]


async def render_preferences(request: Request, web: Web, errors: Errors | None = None) -> HTMLResponse:
    token = await web.token(request) or ""
    volunteer, _etag = await web.services.volunteers.me(token)
    prefs, _prefs_etag = await web.services.notifications.preferences(token)
    form = FormData(
        [("channels", c) for c, _ in CHANNELS if consented(volunteer, c)] + [("digest", prefs.get("digest", "off"))]
    )
    return await web.render(
        request,
        "volunteer/preferences.html",
        title="How we contact you",
        errors=errors,
        form=form,
        volunteer=volunteer,
        channels=CHANNELS,
        digests=DIGESTS,
    )


@router.get("/volunteer/preferences", response_class=HTMLResponse)
async def preferences_page(request: Request, web: WebDep) -> HTMLResponse:
    volunteer_session(request)
    return await render_preferences(request, web)


@router.post("/volunteer/preferences", response_class=HTMLResponse)
async def save_preferences(request: Request, web: WebDep, form: Form) -> Response:
    session = volunteer_session(request)
    token = await web.token(request) or ""
    digest = form.one("digest")
    if digest not in dict(DIGESTS):
        errors = Errors()
        errors.add("digest", "Choose how often you want to hear from us")
        return await render_preferences(request, web, errors)
    chosen = set(form.all("channels"))
    volunteer, etag = await web.services.volunteers.me(token)
    channels = {c: c in chosen for c, _ in CHANNELS}
    await web.services.volunteers.update(
        token, volunteer["id"], {"channels": channels, "wording_version": forms.CONSENT_WORDING}, etag
    )
    prefs, prefs_etag = await web.services.notifications.preferences(token)
    body = {k: prefs[k] for k in ("opt_outs", "quiet_hours", "timezone") if k in prefs} | {"digest": digest}
    await web.services.notifications.save_preferences(token, body, prefs_etag)
    session.set_flash("Your contact preferences have been saved.")
    return web.redirect("/volunteer/me")


@router.get("/volunteer/export")
async def export(request: Request, web: WebDep) -> Response:
    session = volunteer_session(request)
    data = await web.services.volunteers.export(await web.token(request) or "", session.volunteer_id or "")
    return Response(
        json.dumps(data, indent=2, default=str),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-volunteering-data.json"'},
    )


@router.get("/volunteer/erase", response_class=HTMLResponse)
async def erase_page(request: Request, web: WebDep) -> HTMLResponse:
    volunteer_session(request)
    return await web.render(request, "volunteer/erase.html", title="Erase your volunteering data")


@router.post("/volunteer/erase")
async def erase(request: Request, web: WebDep, form: Form) -> Response:
    session = volunteer_session(request)
    if form.one("confirm") != "yes":
        errors = Errors()
        errors.add("confirm", "Tick the box to confirm you want your data erased")
        return await web.render(request, "volunteer/erase.html", title="Erase your volunteering data", errors=errors)
    await web.services.volunteers.erase(await web.token(request) or "", session.volunteer_id or "")
    session.sign_out()
    session.set_flash("Your volunteering data has been erased. Thank you for volunteering with us.")
    return web.redirect("/")

"""Hours and recognition: a volunteer logs hours for a shift they did; staff work through a hub's
hours queue (approve, or send back with a reason), give awards and record accreditations.

The volunteers service makes every decision (whose hours these are, staff of which hub, a shift
logged once); the web app checks the form first so people get messages next to the right field.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hub_web import forms
from hub_web.clients import ServiceProblem, seg
from hub_web.deps import Form, Staff, WebDep, require_hub
from hub_web.forms import Errors, FormData
from hub_web.routes.public import hub_or_404
from hub_web.routes.staff import render_volunteer
from hub_web.routes.volunteers import role_titles, volunteer_session
from hub_web.web import Web

router = APIRouter(include_in_schema=False)

LOG_WITHIN = timedelta(days=90)  # shifts further back are for staff to log, who know what happened
SOURCE_WORDS = {
    "attendance": "Checked in and out at the shift",
    "volunteer": "Logged by the volunteer",
    "staff": "Logged by staff",
    "partner": "From a partner organisation",
}


def shift_hours(signup: dict[str, Any]) -> float:
    """The shift's length in hours, to two places: the form's starting value."""
    if not signup.get("ends_at"):
        return 0.0
    length = datetime.fromisoformat(signup["ends_at"]) - datetime.fromisoformat(signup["starts_at"])
    return round(length.total_seconds() / 3600, 2)


async def loggable_shifts(web: Web, token: str, volunteer_id: str) -> list[dict[str, Any]]:
    """The volunteer's shifts of the last 90 days that have begun and have no hours yet (checking out
    logs them; a rejected entry may be logged again). The service checks the same again."""
    client = web.services.volunteers
    now = datetime.now(UTC)
    signups, hours = await asyncio.gather(
        client.signups(token, volunteer_id, since=now - LOG_WITHIN), client.hours(token, volunteer_id, limit=200)
    )
    logged = {h["shift_id"] for h in hours if h.get("shift_id") and h["status"] != "rejected"}
    return [
        s
        for s in signups
        if s["status"] == "confirmed"
        and datetime.fromisoformat(s["starts_at"]) <= now
        and not s.get("hours_id")
        and s["shift_id"] not in logged
    ]


# -- a volunteer logs hours --------------------------------------------------------------------


def shift_choice(signup: dict[str, Any], titles: dict[str, str], web: Web) -> tuple[str, str, str]:
    """One radio button: the shift's id, its role and time, and its length as the hint."""
    label = f"{titles.get(signup['role_id'], 'Shift')}, {web.env.filters['when'](signup['starts_at'])}"
    return signup["shift_id"], label, f"The shift was {shift_hours(signup):g} hours long"


async def render_log_hours(
    request: Request, web: Web, form: FormData, errors: Errors | None = None, *, status: int | None = None
) -> HTMLResponse:
    session = volunteer_session(request)
    token = await web.token(request) or ""
    volunteer, _etag = await web.services.volunteers.me(token)
    shifts = await loggable_shifts(web, token, session.volunteer_id or "")
    titles = await role_titles(web, {volunteer["hub_id"]})
    return await web.render(
        request,
        "volunteer/log_hours.html",
        status=status or (400 if errors else 200),
        title="Log your hours",
        errors=errors,
        form=form,
        hub=next((h for h in await web.hubs() if h["id"] == volunteer["hub_id"]), None),
        shifts=[shift_choice(s, titles, web) for s in shifts],
    )


@router.get("/volunteer/hours/new", response_class=HTMLResponse)
async def log_hours_page(request: Request, web: WebDep) -> HTMLResponse:
    volunteer_session(request)
    return await render_log_hours(request, web, FormData([("idempotency_key", uuid.uuid4().hex)]))


@router.post("/volunteer/hours", response_class=HTMLResponse)
async def log_hours(request: Request, web: WebDep, form: Form) -> Response:
    session = volunteer_session(request)
    token = await web.token(request) or ""
    shifts = {s["shift_id"]: s for s in await loggable_shifts(web, token, session.volunteer_id or "")}
    body, errors = forms.check_hours(form, list(shifts))
    if errors:
        return await render_log_hours(request, web, form, errors)
    shift = shifts[body["shift_id"]]
    # The day the shift began, in UTC: the day the service files attendance hours under too.
    worked_on = datetime.fromisoformat(shift["starts_at"]).astimezone(UTC).date().isoformat()
    try:
        await web.services.volunteers.log_hours(
            token,
            session.volunteer_id or "",
            {**body, "worked_on": worked_on},
            form.one("idempotency_key") or uuid.uuid4().hex,
        )
    except ServiceProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await render_log_hours(request, web, form, forms.from_problem(problem, forms.HOURS_FIELDS))
    session.set_flash(f"Thank you: {body['hours']:g} hours logged. The hub will check and approve them.")
    return web.redirect("/volunteer/me#hours")


# -- staff: the hours queue --------------------------------------------------------------------


async def render_queue(
    request: Request, web: Web, hub_id: str, errors: Errors | None = None, form: FormData | None = None
) -> HTMLResponse:
    hub = await hub_or_404(web, hub_id)
    token = await web.token(request) or ""
    queue, titles = await asyncio.gather(web.services.volunteers.hours_queue(token, hub_id), role_titles(web, {hub_id}))
    return await web.render(
        request,
        "staff/hours.html",
        status=400 if errors else 200,
        title=f"Hours to approve: {hub['name']}",
        errors=errors,
        form=form,
        hub=hub,
        queue=queue,
        titles=titles,
        sources=SOURCE_WORDS,
    )


@router.get("/staff/hubs/{hub_id}/hours", response_class=HTMLResponse)
async def hours_queue(request: Request, hub_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    require_hub(session, hub_id)
    return await render_queue(request, web, hub_id)


def queue_hub(session: Any, form: FormData) -> str:
    """The hub whose queue the form came from (where to go back to); the service checks the entry's own hub."""
    hub_id = form.one("hub_id")
    require_hub(session, hub_id)
    return hub_id


@router.post("/staff/hours/{hours_id}/approve", response_class=HTMLResponse)
async def approve_hours(request: Request, hours_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    hub_id = queue_hub(session, form)
    try:
        entry = await web.services.volunteers.approve_hours(await web.token(request) or "", hours_id)
    except ServiceProblem as problem:
        if problem.status != 409:
            raise
        session.set_flash(f"Those hours were not approved: {problem.detail}.")
    else:
        session.set_flash(f"Approved {entry['minutes'] / 60:g} hours. The volunteer will be told.")
    return web.redirect(f"/staff/hubs/{seg(hub_id)}/hours")


@router.post("/staff/hours/{hours_id}/reject", response_class=HTMLResponse)
async def reject_hours(request: Request, hours_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    hub_id = queue_hub(session, form)
    reason, errors = forms.check_reason(form, required=True)
    if errors:
        # One reason box per entry: the error goes next to the entry it belongs to.
        moved = Errors(fields={f"reason-{hours_id}": message for message in errors.fields.values()})
        return await render_queue(request, web, hub_id, moved, FormData([(f"reason-{hours_id}", form.one("reason"))]))
    try:
        await web.services.volunteers.reject_hours(await web.token(request) or "", hours_id, reason)
    except ServiceProblem as problem:
        if problem.status not in (409, 422):
            raise
        session.set_flash(f"Those hours were not sent back: {problem.detail}.")
    else:
        session.set_flash("The hours were sent back to the volunteer with your reason.")
    return web.redirect(f"/staff/hubs/{seg(hub_id)}/hours")


# -- staff: awards and accreditations ----------------------------------------------------------


@router.post("/staff/volunteers/{volunteer_id}/awards", response_class=HTMLResponse)
async def give_award(request: Request, volunteer_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    body, errors = forms.check_award(form)
    if not errors:
        try:
            await web.services.volunteers.give_award(
                await web.token(request) or "", volunteer_id, body, form.one("idempotency_key") or uuid.uuid4().hex
            )
        except ServiceProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors = forms.from_problem(problem, forms.AWARD_FIELDS)
    if errors:
        return await render_volunteer(request, web, volunteer_id, errors, form)
    shown = " It is on the hub's thank-you wall if they agreed to be shown there." if body["public"] else ""
    session.set_flash(f"Award given: {body['title']}.{shown}")
    return web.redirect(f"/staff/volunteers/{seg(volunteer_id)}#recognition")


@router.post("/staff/volunteers/{volunteer_id}/accreditations", response_class=HTMLResponse)
async def add_accreditation(request: Request, volunteer_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    skills = await web.services.volunteers.skills()
    body, errors = forms.check_accreditation(form, date.today(), [s["id"] for s in skills])
    if not errors:
        try:
            await web.services.volunteers.add_accreditation(await web.token(request) or "", volunteer_id, body)
        except ServiceProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors = forms.from_problem(problem, forms.ACCREDITATION_FIELDS)
    if errors:
        return await render_volunteer(request, web, volunteer_id, errors, form)
    session.set_flash(f"Recorded: {body['name']}.")
    return web.redirect(f"/staff/volunteers/{seg(volunteer_id)}#accreditations")

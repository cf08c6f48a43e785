"""The staff console: a dashboard per hub and the actions behind it, scoped to the hubs in the account.

Every call carries the staff member's own short-lived token, so the services decide what they may
see and do; the web app only arranges it on the page.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hub_web import forms
from hub_web.check_in import RENEW_S
from hub_web.clients import ServiceDown, ServiceProblem, seg
from hub_web.deps import Form, Staff, WebDep, require_hub
from hub_web.forms import Errors, FormData
from hub_web.routes.attendance import check_in_qr
from hub_web.routes.public import hub_or_404
from hub_web.routes.residents import MAX_PHOTOS, PHOTO_TYPES, with_photos
from hub_web.routes.volunteers import accreditations_shown
from hub_web.web import OPEN_STATUSES, Web

router = APIRouter(prefix="/staff", include_in_schema=False)
T = TypeVar("T")

# The issues workflow (services/issues domain/workflow.py), as choices for the next step; the
# service refuses anything else with 409 and the allowed actions.
NEXT_ACTIONS = {
    "reported": ("acknowledge", "start", "refer", "fix", "close_not_fixed"),
    "acknowledged": ("start", "refer", "fix", "close_not_fixed"),
    "in_progress": ("refer", "fix", "close_not_fixed"),
    "referred": ("start", "fix", "close_not_fixed"),
    "fixed": ("close", "reopen"),
    "closed": ("reopen",),
    "closed_not_fixed": ("reopen",),
    "duplicate": (),
}
ACTION_WORDS = {
    "acknowledge": ("Acknowledge", "Tell the reporter the hub has seen it"),
    "start": ("Start work", None),
    "refer": ("Refer to another organisation", "For example, the highways team or a housing association"),
    "fix": ("Mark as fixed", "Residents see your public note on the You said, we did page"),
    "close": ("Close", None),
    "close_not_fixed": ("Close without fixing", "Say why in the reason"),
    "reopen": ("Reopen", None),
}
SHIFT_HORIZON = timedelta(days=21)
DASHBOARD_ITEMS = 10  # of each list on the dashboard; the list pages have the rest
TODAY = timedelta(hours=24)  # "shifts today": running now or starting within a day


async def section(call: Awaitable[T]) -> tuple[T | None, str | None]:
    """One dashboard section: its data, or why it is missing, so one service down does not blank the page."""
    try:
        return await call, None
    except ServiceDown:
        return None, "This information is not available right now. Try again in a few minutes."
    except ServiceProblem as problem:
        return None, problem.detail


def overdue(issue: dict[str, Any], now: datetime) -> bool:
    expected = issue.get("expected_at")
    return bool(expected) and datetime.fromisoformat(expected) < now


@router.get("", response_class=HTMLResponse)
async def console(request: Request, web: WebDep, session: Staff) -> Response:
    hubs = [h for h in await web.hubs() if session.can_manage(h["id"])]
    if len(hubs) == 1:
        return web.redirect(f"/staff/hubs/{hubs[0]['id']}")
    return await web.render(request, "staff/console.html", title="Staff console", hubs=hubs)


@router.get("/hubs/{hub_id}", response_class=HTMLResponse)
async def dashboard(request: Request, hub_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    require_hub(session, hub_id)
    hub = await hub_or_404(web, hub_id)
    token = await web.token(request) or ""
    s = web.services
    # The dashboard shows the first few of each list; the issue, volunteer, booking and loan pages
    # (routes/console.py) filter, search and page through all of them.
    overdue_first = [("overdue", "true"), ("limit", DASHBOARD_ITEMS)]
    now = datetime.now(UTC)
    started_since = now - TODAY
    (
        (issues, issues_error),
        (overdue_page, _overdue_error),
        (loan_requests, loan_requests_error),
        (equipment, _equipment_error),
        (applicants, applicants_error),
        (shifts, shifts_error),
        (roles, _roles_error),
        (bookings, bookings_error),
        (loans, loans_error),
        (failed, failed_error),
        (paused, paused_error),
        (rooms, _rooms_error),
        (pending_hours, hours_error),
        (recent_shifts, _recent_error),
    ) = await asyncio.gather(
        section(s.issues.priorities(hub_id, limit=DASHBOARD_ITEMS)),
        section(s.issues.hub_issues(token, hub_id, overdue_first)),
        section(s.assets.loans_page(token, hub_id, "requested", limit=DASHBOARD_ITEMS)),
        section(s.assets.search({"hub_id": hub_id, "kind": "equipment", "limit": 200})),
        section(s.volunteers.pipeline(token, hub_id)),
        section(s.volunteers.shifts(hub_id, limit=100, token=token)),
        section(s.volunteers.roles(hub_id)),
        section(s.assets.hub_bookings(token, hub_id)),
        section(s.assets.loans(token, hub_id)),
        section(s.notifications.failed_messages(token, hub_id)),
        section(s.notifications.paused_webhooks(token, hub_id)),
        section(s.assets.search({"hub_id": hub_id, "kind": "room", "limit": 50})),
        section(s.volunteers.hours_queue(token, hub_id)),
        # Shifts that began within the day too: one running now is where check-in codes are wanted.
        section(s.volunteers.shifts(hub_id, limit=50, token=token, starts_from=started_since)),
    )
    overdue_issues = (overdue_page or {}).get("items", [])
    short = [
        sh
        for sh in shifts or []
        if sh["confirmed"] < sh["capacity"] and datetime.fromisoformat(sh["starts_at"]) < now + SHIFT_HORIZON
    ]
    today = [
        sh
        for sh in recent_shifts or []
        if datetime.fromisoformat(sh["ends_at"]) > now and datetime.fromisoformat(sh["starts_at"]) < now + TODAY
    ]
    return await web.render(
        request,
        "staff/dashboard.html",
        title=f"Dashboard: {hub['name']}",
        hub=hub,
        overdue_issues=overdue_issues,
        more_overdue=bool((overdue_page or {}).get("next_cursor")),
        issues=issues or [],
        issues_error=issues_error,
        loan_requests=(loan_requests or {}).get("items", []),
        more_loan_requests=bool((loan_requests or {}).get("next_cursor")),
        loan_requests_error=loan_requests_error,
        equipment_names={e["id"]: e["name"] for e in (equipment or {}).get("items", [])},
        applicants=applicants or [],
        applicants_error=applicants_error,
        short_shifts=short,
        shifts_today=today,
        pending_hours=pending_hours or [],
        hours_error=hours_error,
        shifts_error=shifts_error,
        titles={r["id"]: r["title"] for r in roles or []},
        bookings=bookings or [],
        bookings_error=bookings_error,
        overdue_loans=[ln for ln in loans or [] if datetime.fromisoformat(ln["due_at"]) < now],
        loans_error=loans_error,
        failed=failed or [],
        failed_error=failed_error,
        paused=paused or [],
        paused_error=paused_error,
        rooms=(rooms or {}).get("items", []),
    )


# -- issues ------------------------------------------------------------------------------------


async def render_issue(
    request: Request, web: Web, issue_id: str, errors: Errors | None = None, form: FormData | None = None
) -> HTMLResponse:
    issue, _etag = await web.services.issues.issue(issue_id, token=await web.token(request))
    require_hub(web.session(request), issue["hub_id"])
    hub = await hub_or_404(web, issue["hub_id"])
    actions = NEXT_ACTIONS.get(issue["status"], ())
    return await web.render(
        request,
        "staff/issue.html",
        status=400 if errors else 200,
        title=f"{issue['service_name']}: {issue['id']}",
        errors=errors,
        form=form or FormData([("idempotency_key", uuid.uuid4().hex)]),
        hub=hub,
        issue=issue,
        photo_types=PHOTO_TYPES,
        actions=[(a, *ACTION_WORDS[a]) for a in actions],
        is_overdue=issue["status"] in OPEN_STATUSES and overdue(issue, datetime.now(UTC)),
    )


@router.get("/issues/{issue_id}", response_class=HTMLResponse)
async def issue_page(request: Request, issue_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    return await render_issue(request, web, issue_id)


@router.post("/issues/{issue_id}/transition", response_class=HTMLResponse)
async def transition(request: Request, issue_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    issue, etag = await web.services.issues.issue(issue_id, token=await web.token(request))
    require_hub(session, issue["hub_id"])
    body, errors = forms.check_transition(form, NEXT_ACTIONS.get(issue["status"], ()))
    if not errors:  # the photos go up first (the update names them), once however often it is sent
        form, photo_errors = await with_photos(request, web, form)
        errors = photo_errors or errors
        body["photo_ids"] = form.all("photo_id")[:MAX_PHOTOS]
    if not errors:
        expected = form.one("version")
        try:
            await web.services.issues.transition(
                await web.token(request) or "", issue_id, body, f'"v{expected}"' if expected.isdigit() else etag
            )
        except ServiceProblem as problem:
            if problem.status == 412:
                errors.general.append("Someone else changed this issue while you were looking. Check it and try again.")
            elif problem.status in (409, 422):
                errors = forms.from_problem(problem, forms.TRANSITION_FIELDS)
            else:
                raise
    if errors:
        return await render_issue(request, web, issue_id, errors, form)
    session.set_flash(f"Done: {ACTION_WORDS[body['action']][0].lower()}. Residents following it will be told.")
    return web.redirect(f"/staff/issues/{seg(issue_id)}")


@router.post("/issues/{issue_id}/photos/{photo_id}/hide", response_class=HTMLResponse)
async def hide_photo(
    request: Request, issue_id: str, photo_id: str, web: WebDep, session: Staff, form: Form
) -> Response:
    """Moderation: a photo showing a face, a number plate or worse leaves the public pages at once
    (the issues service serves it to its hub's staff only from then on)."""
    issue, _etag = await web.services.issues.issue(issue_id, token=await web.token(request))
    require_hub(session, issue["hub_id"])
    if photo_id not in {p["id"] for p in issue.get("photos") or []}:
        raise ServiceProblem("issues", 404, "Not found", "no such photo on this issue")
    reason, errors = forms.check_hide_reason(form, f"hide_reason-{photo_id}")
    if errors:
        return await render_issue(request, web, issue_id, errors, form)
    await web.services.issues.hide_photo(await web.token(request) or "", photo_id, reason)
    session.set_flash("The photo is hidden from the public. Staff of this hub can still see it here.")
    return web.redirect(f"/staff/issues/{seg(issue_id)}")


# -- volunteers --------------------------------------------------------------------------------


async def render_volunteer(
    request: Request, web: Web, volunteer_id: str, errors: Errors | None = None, form: FormData | None = None
) -> HTMLResponse:
    volunteer, _etag = await web.services.volunteers.volunteer(await web.token(request) or "", volunteer_id)
    require_hub(web.session(request), volunteer["hub_id"])
    hub = await hub_or_404(web, volunteer["hub_id"])
    token = await web.token(request) or ""
    client = web.services.volunteers
    skill_list, totals, awards = await asyncio.gather(
        client.skills(), client.totals(token, volunteer_id), client.awards(token, volunteer_id)
    )
    skills = {s["id"]: s["name"] for s in skill_list}
    today = date.today()
    valid_checks = [c for c in volunteer.get("checks", []) if c["issued_on"] <= today.isoformat() <= c["renewal_due"]]
    return await web.render(
        request,
        "staff/volunteer.html",
        status=400 if errors else 200,
        title=f"Volunteer: {volunteer['name']}",
        errors=errors,
        form=form or FormData([("idempotency_key", uuid.uuid4().hex), ("public", "yes")]),
        hub=hub,
        volunteer=volunteer,
        skills=skills,
        valid_checks=valid_checks,
        totals=totals,
        awards=awards,
        accreditations=accreditations_shown(volunteer, today),
    )


@router.get("/volunteers/{volunteer_id}", response_class=HTMLResponse)
async def volunteer_page(request: Request, volunteer_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    return await render_volunteer(request, web, volunteer_id)


@router.post("/volunteers/{volunteer_id}/check", response_class=HTMLResponse)
async def record_check(request: Request, volunteer_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    body, errors = forms.check_background_check(form, date.today())
    if not errors:
        try:
            await web.services.volunteers.record_check(await web.token(request) or "", volunteer_id, body)
        except ServiceProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors = forms.from_problem(problem, forms.CHECK_FIELDS)
    if errors:
        return await render_volunteer(request, web, volunteer_id, errors, form)
    session.set_flash("The background check has been recorded.")
    return web.redirect(f"/staff/volunteers/{seg(volunteer_id)}")


@router.post("/volunteers/{volunteer_id}/status", response_class=HTMLResponse)
async def change_status(request: Request, volunteer_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    to = form.one("to")
    errors = Errors()
    if to not in ("approved", "active", "inactive", "archived"):
        errors.general.append("Choose what to do with this volunteer.")
    else:
        version = form.one("version")
        try:
            await web.services.volunteers.change_status(
                await web.token(request) or "", volunteer_id, to, f'"v{version}"' if version.isdigit() else None
            )
        except ServiceProblem as problem:
            if problem.status == 412:
                errors.general.append("Someone else changed this record while you were looking. Check and try again.")
            elif problem.status in (409, 422):
                errors.general.append(problem.detail[:1].upper() + problem.detail[1:])
            else:
                raise
    if errors:
        return await render_volunteer(request, web, volunteer_id, errors, form)
    session.set_flash("Approved: the volunteer can now sign up to shifts." if to == "approved" else f"Status: {to}.")
    return web.redirect(f"/staff/volunteers/{seg(volunteer_id)}")


# -- shifts ------------------------------------------------------------------------------------


@router.get("/shifts/{shift_id}", response_class=HTMLResponse)
async def shift_page(request: Request, shift_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    shift = await web.services.volunteers.shift(shift_id)
    require_hub(session, shift["hub_id"])
    token = await web.token(request) or ""
    hub = await hub_or_404(web, shift["hub_id"])
    role = await web.services.volunteers.role(shift["role_id"])
    return await web.render(
        request,
        "staff/shift.html",
        title=f"Shift: {role['title']}",
        hub=hub,
        shift=shift,
        role=role,
        qr=check_in_qr(request, web, shift, role["title"]),
        renew_s=RENEW_S,
        roster=await web.services.volunteers.roster(token, shift_id),
        waitlist=await web.services.volunteers.roster(token, shift_id, status="waitlisted"),
        matches=await web.services.volunteers.matches(token, shift_id),
    )


@router.post("/shifts/{shift_id}/sign-up")
async def sign_up_volunteer(request: Request, shift_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    volunteer_id = form.one("volunteer_id")
    try:
        result = await web.services.volunteers.sign_up(
            await web.token(request) or "", shift_id, form.one("idempotency_key") or uuid.uuid4().hex, volunteer_id
        )
    except ServiceProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        session.set_flash(f"Could not sign them up: {problem.detail}")
    else:
        full = result["status"] != "confirmed"
        session.set_flash("The shift is full: on the waiting list." if full else "Signed up.")
    return web.redirect(f"/staff/shifts/{seg(shift_id)}")


# -- bookings and rooms ------------------------------------------------------------------------


@router.post("/bookings/{booking_id}/decide")
async def decide_booking(request: Request, booking_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    action = form.one("action")
    token = await web.token(request) or ""
    booking, etag = await web.services.assets.booking(token, booking_id)
    require_hub(session, booking["hub_id"])
    if action not in ("confirm", "decline"):
        session.set_flash("Choose to confirm or decline the booking.")
    else:
        try:
            await web.services.assets.decide_booking(token, booking_id, action, etag, form.one("reason") or None)
        except ServiceProblem as problem:
            if problem.status not in (409, 412, 422):
                raise
            session.set_flash(f"That did not work: {problem.detail}")
        else:
            session.set_flash("Booking confirmed." if action == "confirm" else "Booking declined.")
    return web.redirect(f"/staff/hubs/{seg(booking['hub_id'])}#bookings")


@router.get("/rooms/{room_id}", response_class=HTMLResponse)
async def room_calendar(request: Request, room_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    room = await web.services.assets.asset(room_id)
    require_hub(session, room["hub_id"])
    token = await web.token(request) or ""
    now = datetime.now(UTC)
    confirmed = await web.services.assets.room_bookings(token, room_id, "confirmed")
    requested = await web.services.assets.room_bookings(token, room_id, "requested")
    upcoming = sorted(
        (b for b in confirmed + requested if datetime.fromisoformat(b["ends_at"]) >= now), key=lambda b: b["starts_at"]
    )
    return await web.render(
        request,
        "staff/room.html",
        title=f"Room calendar: {room['name']}",
        hub=await hub_or_404(web, room["hub_id"]),
        room=room,
        bookings=upcoming,
    )

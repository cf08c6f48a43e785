"""Checking in and out at a shift with its QR code (see hub_web.check_in for what the code proves).

Staff show the code on the shift's page, or full screen on a tablet at the door (``/door``, which
reloads itself with a fresh code). A volunteer's phone opens the address in it: signed in, they see
the shift and a button to check in, and later, scanning again, to check out (which logs the time as
hours waiting for approval). The volunteer checked in is always the one signed in, never one named
by the address.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hub_web.check_in import RENEW_S, qr_svg
from hub_web.clients import ServiceProblem
from hub_web.deps import Form, Staff, WebDep, require_hub
from hub_web.forms import Errors
from hub_web.routes.public import hub_or_404
from hub_web.routes.volunteers import volunteer_session
from hub_web.web import Web

router = APIRouter(include_in_schema=False)


def check_in_qr(request: Request, web: Web, shift: dict[str, Any], role_title: str) -> dict[str, Any]:
    """A fresh code for the shift: its address, its QR picture and until when it works."""
    code = web.check_in_codes.make(shift["id"])
    # The address the volunteer's phone opens: this site as the browser reached it (the gateway
    # passes the public host through), so the code works wherever the staff page is served from.
    url = str(request.base_url).rstrip("/") + f"/volunteer/check-in/{code}"
    expires = datetime.now(UTC) + web.check_in_codes.lifetime
    label = f"QR code to check in to {role_title}, {web.env.filters['when'](shift['starts_at'])}"
    return {"url": url, "svg": qr_svg(url, label), "expires_at": expires.isoformat()}


async def staff_shift(request: Request, web: Web, session: Any, shift_id: str) -> tuple[dict, dict, dict]:
    shift = await web.services.volunteers.shift(shift_id)
    require_hub(session, shift["hub_id"])
    role = await web.services.volunteers.role(shift["role_id"])
    return shift, role, await hub_or_404(web, shift["hub_id"])


@router.get("/staff/shifts/{shift_id}/door", response_class=HTMLResponse)
async def door_page(request: Request, shift_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    """The QR code alone, large, for a screen at the door. The code is swapped for a fresh one in
    place (hub.js fetches ``/qr``) rather than by reloading the page: a page that refreshes itself
    on a timer fails WCAG 2.2.1, and swapping one picture disturbs no one using the page."""
    shift, role, hub = await staff_shift(request, web, session, shift_id)
    return await web.render(
        request,
        "staff/door.html",
        title=f"Check in: {role['title']}",
        hub=hub,
        shift=shift,
        role=role,
        qr=check_in_qr(request, web, shift, role["title"]),
        renew_s=RENEW_S,
    )


@router.get("/staff/shifts/{shift_id}/qr", response_class=HTMLResponse)
async def fresh_code(request: Request, shift_id: str, web: WebDep, session: Staff, large: bool = False) -> HTMLResponse:
    """The QR code's figure alone (an HTML fragment) with a new code, for hub.js to swap in."""
    shift, role, _hub = await staff_shift(request, web, session, shift_id)
    qr = check_in_qr(request, web, shift, role["title"])
    fragment = web.env.get_template("staff/_qr.html").render(shift=shift, qr=qr, large=large, renew_s=RENEW_S)
    return HTMLResponse(fragment)


# -- the volunteer's side ----------------------------------------------------------------------


async def attendance_state(web: Web, token: str, volunteer_id: str, shift: dict[str, Any]) -> dict[str, Any] | None:
    """The volunteer's sign-up to this shift (None when they have none that counts)."""
    since = datetime.fromisoformat(shift["starts_at"]) - timedelta(minutes=1)
    signups = await web.services.volunteers.signups(token, volunteer_id, since=since)
    mine = next((s for s in signups if s["shift_id"] == shift["id"]), None)
    return mine if mine and mine["status"] == "confirmed" else None


async def render_check_in(
    request: Request, web: Web, code: str, errors: Errors | None = None, *, status: int | None = None
) -> HTMLResponse:
    session = volunteer_session(request)
    shift_id = web.check_in_codes.shift_of(code)
    if shift_id is None:
        return await web.render(
            request,
            "volunteer/check_in.html",
            status=410,
            title="This check-in code has expired",
            expired=True,
        )
    token = await web.token(request) or ""
    shift = await web.services.volunteers.shift(shift_id)
    role = await web.services.volunteers.role(shift["role_id"])
    signup = await attendance_state(web, token, session.volunteer_id or "", shift)
    return await web.render(
        request,
        "volunteer/check_in.html",
        status=status or (400 if errors else 200),
        title=f"Check in: {role['title']}",
        errors=errors,
        hub=next((h for h in await web.hubs() if h["id"] == shift["hub_id"]), None),
        expired=False,
        code=code,
        shift=shift,
        role=role,
        signup=signup,
    )


@router.get("/volunteer/check-in/{code}", response_class=HTMLResponse)
async def check_in_page(request: Request, code: str, web: WebDep) -> HTMLResponse:
    return await render_check_in(request, web, code)


@router.post("/volunteer/check-in/{code}", response_class=HTMLResponse)
async def check_in_or_out(request: Request, code: str, web: WebDep, form: Form) -> Response:
    session = volunteer_session(request)
    action = form.one("action")
    # Checked again on the button: a page left open past the code's life must be scanned afresh.
    shift_id = web.check_in_codes.shift_of(code)
    if shift_id is None or action not in ("in", "out"):
        return await render_check_in(request, web, code, Errors(general=["Choose to check in or to check out."]))
    client, token = web.services.volunteers, await web.token(request) or ""
    try:
        if action == "in":
            signup = await client.check_in(token, shift_id, session.volunteer_id or "")
        else:
            signup = await client.check_out(token, shift_id, session.volunteer_id or "")
    except ServiceProblem as problem:
        if problem.status not in (403, 404, 409, 422):  # not their shift, not now, already done
            raise
        message = problem.detail[:1].upper() + problem.detail[1:]
        return await render_check_in(request, web, code, Errors(general=[f"{message}."]), status=409)
    at = web.env.filters["clock"](signup["checked_in_at" if action == "in" else "checked_out_at"])
    if action == "in":
        session.set_flash(f"You are checked in at {at}. Scan the code again when you leave, to check out.")
    else:
        session.set_flash(f"You are checked out at {at}. Your time is logged for the hub to approve. Thank you!")
    return web.redirect("/volunteer/me#hours")

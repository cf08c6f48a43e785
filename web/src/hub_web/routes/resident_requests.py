"""Residents' requests: ask to borrow equipment or to book a room from its page in the groups and
places map, and see what they asked for and what the hub decided (``/my-requests``).

The requests go to the assets service's own workflows (a loan request, a booking that waits for
approval where the room needs it) as the browser's resident: the same pseudonymous identity a report
is made with, or the one an emailed link signed in. The contact details given go with the request to
the assets service, which passes them only to notifications (``hub.contacts``), so the hub's answer
reaches the resident by email and nothing here stores them.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hub_web import request_forms
from hub_web.clients import ServiceProblem
from hub_web.deps import Form, WebDep
from hub_web.forms import Errors, FormData, from_problem
from hub_web.i18n import N_, _
from hub_web.routes.public import WEEKDAYS
from hub_web.web import LOCAL_TZ, Web

router = APIRouter(include_in_schema=False)
KINDS = {"borrow": "equipment", "book": "room"}
STATUS_WORDS = {
    "requested": N_("Waiting for the hub to decide"),
    "reserved": N_("Approved: reserved for you"),
    "confirmed": N_("Confirmed"),
    "declined": N_("Not accepted"),
    "cancelled": N_("Cancelled"),
    "checked_out": N_("With you"),
    "returned": N_("Returned"),
    "completed": N_("Held"),
}


async def requestable(web: Web, asset_id: str, what: str) -> dict[str, Any]:
    """The equipment or room asked for (a 404 page for anything else, or one no longer in use)."""
    asset = await web.services.assets.asset(asset_id)
    if asset["kind"] != KINDS[what] or asset.get("status") != "active":
        raise ServiceProblem("assets", 404, "Not found", "nothing to ask for here")
    return asset


async def render_ask(
    request: Request, web: Web, what: str, asset: dict[str, Any], form: FormData, errors: Errors | None = None
) -> HTMLResponse:
    hub = next((h for h in await web.hubs() if h["id"] == asset["hub_id"]), None)
    session = web.session(request)
    return await web.render(
        request,
        f"requests/{what}.html",
        status=400 if errors else 200,
        title=_("Ask to borrow: %(what)s", what=asset["name"])
        if what == "borrow"
        else _("Ask to book: %(what)s", what=asset["name"]),
        errors=errors,
        form=form,
        hub=hub,
        asset=asset,
        staff=session.is_staff,
        weekdays=WEEKDAYS,
    )


@router.get("/places/{asset_id}/borrow", response_class=HTMLResponse)
async def borrow_form(request: Request, asset_id: str, web: WebDep) -> HTMLResponse:
    asset = await requestable(web, asset_id, "borrow")
    return await render_ask(request, web, "borrow", asset, FormData([("idempotency_key", uuid.uuid4().hex)]))


@router.get("/places/{asset_id}/book", response_class=HTMLResponse)
async def book_form(request: Request, asset_id: str, web: WebDep) -> HTMLResponse:
    asset = await requestable(web, asset_id, "book")
    return await render_ask(request, web, "book", asset, FormData([("idempotency_key", uuid.uuid4().hex)]))


@router.post("/places/{asset_id}/borrow", response_class=HTMLResponse)
async def ask_to_borrow(request: Request, asset_id: str, web: WebDep, form: Form) -> Response:
    asset = await requestable(web, asset_id, "borrow")
    now = datetime.now(UTC)
    most = int((asset.get("equipment") or {}).get("quantity") or 1)
    body, errors = request_forms.check_borrow(form, now.astimezone(LOCAL_TZ).date(), now, most)
    return await send(request, web, "borrow", asset, form, body, errors)


@router.post("/places/{asset_id}/book", response_class=HTMLResponse)
async def ask_to_book(request: Request, asset_id: str, web: WebDep, form: Form) -> Response:
    asset = await requestable(web, asset_id, "book")
    body, errors = request_forms.check_booking(form, datetime.now(UTC).astimezone(LOCAL_TZ).date())
    return await send(request, web, "book", asset, form, body, errors)


async def send(
    request: Request,
    web: Web,
    what: str,
    asset: dict[str, Any],
    form: FormData,
    body: dict[str, Any],
    errors: Errors,
) -> Response:
    session = web.session(request)
    if session.is_staff:
        errors.general.append(_("Staff reserve equipment and book rooms for people from the staff console."))
    if errors:
        return await render_ask(request, web, what, asset, form, errors)
    key = form.one("idempotency_key") or uuid.uuid4().hex
    assets = web.services.assets
    try:
        token = await web.resident_token(request)
        if what == "borrow":
            await assets.ask_to_borrow(token, asset["id"], body, key)
        else:
            booking = await assets.ask_to_book(token, asset["id"], body, key)
    except ServiceProblem as problem:
        if problem.status == 409:
            errors = Errors(general=[problem.detail[:1].upper() + problem.detail[1:] + ". Try other dates or times."])
        elif problem.status in (403, 422):
            fields = request_forms.BORROW_FIELDS if what == "borrow" else request_forms.BOOK_FIELDS
            errors = from_problem(problem, fields)
        else:
            raise
        return await render_ask(request, web, what, asset, form, errors)
    if what == "borrow":
        session.set_flash(
            _("Your request to borrow %(what)s has been sent. The hub will email you its answer.", what=asset["name"])
        )
    elif booking["status"] == "confirmed":
        session.set_flash(_("%(what)s is booked for you. We have emailed you the details.", what=asset["name"]))
    else:
        session.set_flash(
            _("Your request to book %(what)s has been sent. The hub will email you its answer.", what=asset["name"])
        )
    return web.redirect("/my-requests")


@router.get("/my-requests", response_class=HTMLResponse)
async def my_requests(request: Request, web: WebDep) -> HTMLResponse:
    """What this browser's resident asked to borrow or book, with the hub's answers."""
    session = web.session(request)
    loans: list[dict[str, Any]] = []
    bookings: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    if session.signed_in and session.role == "resident":
        token = await web.resident_token(request)
        loans = await web.services.assets.my_loans(token)
        bookings = await web.services.assets.my_bookings(token)
        asked_for = sorted({item.get("asset_id") or item["room_id"] for item in (*loans, *bookings)})
        found = await asyncio.gather(*(web.services.assets.asset(a) for a in asked_for), return_exceptions=True)
        names = {a: f["name"] for a, f in zip(asked_for, found, strict=True) if isinstance(f, dict)}
    return await web.render(
        request,
        "requests/mine.html",
        title=_("What you asked to borrow or book"),
        loans=loans,
        bookings=bookings,
        names=names,
        status_words=STATUS_WORDS,
    )

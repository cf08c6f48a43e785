"""The staff console's lists that grow: a hub's issues (filters, word search, pages, a map view), its
volunteers, room bookings and equipment loans (by status, a page at a time), and the decisions on
residents' requests to borrow.

Every list is a GET form and plain links (no JavaScript needed); the pages carry their own paging
trail (``hub_web.paging``). The services check every permission again with the staff member's token.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from hub_web.clients import ServiceProblem, seg
from hub_web.deps import Form, Staff, WebDep, require_hub
from hub_web.maps import issue_points, map_config
from hub_web.paging import TRAIL_MAX_LENGTH, Pager
from hub_web.routes.public import hub_or_404
from hub_web.web import OPEN_STATUSES, STATUS_WORDS

router = APIRouter(prefix="/staff", include_in_schema=False)
PAGE_SIZE = 25
MAP_PAGE_SIZE = 200  # the map view shows up to this many pins a page (the list beside it the same)
CursorQuery = Annotated[str | None, Query(max_length=2000)]
TrailQuery = Annotated[str | None, Query(max_length=TRAIL_MAX_LENGTH)]
BAD_CURSOR = "That page link no longer works. Start again from the first page."
SEARCH_WORDS = "Search for whole words of two or more letters or numbers, like “glass” or “bus stop”."

VOLUNTEER_STATUSES = (
    ("applicant", "Applied, waiting for approval"),
    ("approved", "Approved"),
    ("active", "Active"),
    ("inactive", "Inactive"),
    ("archived", "Archived"),
)
BOOKING_STATUSES = (
    ("requested", "Waiting for a decision"),
    ("confirmed", "Confirmed"),
    ("declined", "Declined"),
    ("cancelled", "Cancelled"),
    ("completed", "Held"),
)
LOAN_STATUSES = (
    ("requested", "Residents' requests waiting for a decision"),
    ("reserved", "Reserved"),
    ("checked_out", "Checked out"),
    ("returned", "Returned"),
    ("declined", "Declined"),
    ("cancelled", "Cancelled"),
)


def is_overdue(item: dict[str, Any], field: str, now: datetime) -> bool:
    value = item.get(field)
    return bool(value) and datetime.fromisoformat(value) < now


def pages(pager: Pager, path: str, filters: list[tuple[str, str]], next_cursor: str | None) -> dict[str, Any]:
    return {
        "number": pager.number,
        "previous": pager.previous_href(path, filters),
        "next": pager.next_href(path, filters, next_cursor),
        "first": pager.first_href(path, filters),
    }


async def staff_hub(request: Request, web: Any, session: Any, hub_id: str) -> tuple[dict[str, Any], str]:
    require_hub(session, hub_id)
    return await hub_or_404(web, hub_id), await web.token(request) or ""


# -- issues ------------------------------------------------------------------------------------


@router.get("/hubs/{hub_id}/issues", response_class=HTMLResponse)
async def issues(
    request: Request,
    hub_id: str,
    web: WebDep,
    session: Staff,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=30)] = "",
    category: Annotated[str, Query(max_length=64)] = "",
    overdue: Annotated[str, Query(max_length=5)] = "",
    assignee: Annotated[str, Query(max_length=128)] = "",
    view: Annotated[str, Query(max_length=5)] = "list",
    cursor: CursorQuery = None,
    trail: TrailQuery = None,
) -> HTMLResponse:
    hub, token = await staff_hub(request, web, session, hub_id)
    view = "map" if view == "map" else "list"
    status = status if status in ("all", *STATUS_WORDS) else ""
    chosen = {
        "q": q.strip(),
        "status": status,
        "category": category,
        "overdue": "yes" if overdue == "yes" else "",
        "assignee": assignee.strip(),
    }
    filters = [(k, v) for k, v in chosen.items() if v]
    params: list[tuple[str, Any]] = [("limit", MAP_PAGE_SIZE if view == "map" else PAGE_SIZE)]
    if status != "all":
        params += [("status", s) for s in ([status] if status else OPEN_STATUSES)]
    if chosen["category"]:
        params.append(("service_code", chosen["category"]))
    if chosen["overdue"]:
        params.append(("overdue", "true"))
    if chosen["assignee"]:
        params.append(("assignee", chosen["assignee"]))
    if chosen["q"]:
        params.append(("q", chosen["q"]))
    pager = Pager.of(cursor, trail)
    if pager.cursor:
        params.append(("cursor", pager.cursor))
    message = None
    # Both at once: the page waits for the slower of the two calls, not their sum.
    found, offered = await asyncio.gather(
        web.services.issues.hub_issues(token, hub_id, params),
        web.services.issues.categories(hub_id),
        return_exceptions=True,
    )
    page: dict[str, Any] = {"items": [], "next_cursor": None}
    if isinstance(found, ServiceProblem) and found.status in (400, 422):
        message = BAD_CURSOR if found.status == 400 else SEARCH_WORDS
    elif isinstance(found, BaseException):
        raise found
    else:
        page = found
    # Without the categories the filter offers none; the list still works.
    categories = offered if isinstance(offered, list) else []
    items, now = page["items"], datetime.now(UTC)
    path = f"/staff/hubs/{seg(hub_id)}/issues"
    view_filters = [*filters, ("view", "map")] if view == "map" else filters
    return await web.render(
        request,
        "staff/issues.html",
        title=f"Issues: {hub['name']}",
        hub=hub,
        chosen=chosen,
        view=view,
        statuses=[("", "Open (any open status)"), *STATUS_WORDS.items(), ("all", "Any status")],
        categories=[(c["code"], c["name"]) for c in categories],
        items=items,
        overdue_ids={i["id"] for i in items if i["status"] in OPEN_STATUSES and is_overdue(i, "expected_at", now)},
        message=message,
        pages=pages(pager, path, view_filters, page.get("next_cursor")),
        list_href=path + (f"?{urlencode(filters)}" if filters else ""),
        map_href=f"{path}?{urlencode([*filters, ('view', 'map')])}",
        issues_map=map_config(web.settings, [hub], points=issue_points(items, "/staff/issues/{id}"), cluster=True)
        if view == "map"
        else None,
    )


# -- volunteers, bookings, loans -----------------------------------------------------------------


def chosen_status(value: str, statuses: tuple[tuple[str, str], ...]) -> str:
    return value if value in dict(statuses) else statuses[0][0]


@router.get("/hubs/{hub_id}/volunteers", response_class=HTMLResponse)
async def volunteers(
    request: Request,
    hub_id: str,
    web: WebDep,
    session: Staff,
    status: Annotated[str, Query(max_length=20)] = "",
    cursor: CursorQuery = None,
    trail: TrailQuery = None,
) -> HTMLResponse:
    hub, token = await staff_hub(request, web, session, hub_id)
    status = chosen_status(status, VOLUNTEER_STATUSES)
    pager = Pager.of(cursor, trail)
    page, message = await listed(
        web.services.volunteers.volunteers_page(token, hub_id, status, PAGE_SIZE, pager.cursor)
    )
    return await web.render(
        request,
        "staff/volunteers.html",
        title=f"Volunteers: {hub['name']}",
        hub=hub,
        statuses=VOLUNTEER_STATUSES,
        chosen_status=status,
        items=page["items"],
        message=message,
        pages=pages(pager, f"/staff/hubs/{seg(hub_id)}/volunteers", [("status", status)], page.get("next_cursor")),
    )


@router.get("/hubs/{hub_id}/bookings", response_class=HTMLResponse)
async def bookings(
    request: Request,
    hub_id: str,
    web: WebDep,
    session: Staff,
    status: Annotated[str, Query(max_length=20)] = "",
    cursor: CursorQuery = None,
    trail: TrailQuery = None,
) -> HTMLResponse:
    hub, token = await staff_hub(request, web, session, hub_id)
    status = chosen_status(status, BOOKING_STATUSES)
    pager = Pager.of(cursor, trail)
    (page, message), rooms = await asyncio.gather(
        listed(web.services.assets.bookings_page(token, hub_id, status, PAGE_SIZE, pager.cursor)),
        web.services.assets.search({"hub_id": hub_id, "kind": "room", "limit": 200}),
    )
    return await web.render(
        request,
        "staff/bookings.html",
        title=f"Room bookings: {hub['name']}",
        hub=hub,
        statuses=BOOKING_STATUSES,
        chosen_status=status,
        items=page["items"],
        names={r["id"]: r["name"] for r in rooms["items"]},
        message=message,
        pages=pages(pager, f"/staff/hubs/{seg(hub_id)}/bookings", [("status", status)], page.get("next_cursor")),
    )


@router.get("/hubs/{hub_id}/loans", response_class=HTMLResponse)
async def loans(
    request: Request,
    hub_id: str,
    web: WebDep,
    session: Staff,
    status: Annotated[str, Query(max_length=20)] = "",
    cursor: CursorQuery = None,
    trail: TrailQuery = None,
) -> HTMLResponse:
    hub, token = await staff_hub(request, web, session, hub_id)
    status = chosen_status(status, LOAN_STATUSES)
    pager = Pager.of(cursor, trail)
    (page, message), equipment = await asyncio.gather(
        listed(web.services.assets.loans_page(token, hub_id, status, PAGE_SIZE, pager.cursor)),
        web.services.assets.search({"hub_id": hub_id, "kind": "equipment", "limit": 200}),
    )
    now = datetime.now(UTC)
    return await web.render(
        request,
        "staff/loans.html",
        title=f"Equipment loans: {hub['name']}",
        hub=hub,
        statuses=LOAN_STATUSES,
        chosen_status=status,
        items=page["items"],
        overdue_ids={
            ln["id"] for ln in page["items"] if ln["status"] == "checked_out" and is_overdue(ln, "due_at", now)
        },
        names={e["id"]: e["name"] for e in equipment["items"]},
        message=message,
        pages=pages(pager, f"/staff/hubs/{seg(hub_id)}/loans", [("status", status)], page.get("next_cursor")),
    )


async def listed(call: Any) -> tuple[dict[str, Any], str | None]:
    """One page from a service, or an empty one with the reason when its cursor is no longer good."""
    try:
        return await call, None
    except ServiceProblem as problem:
        if problem.status not in (400, 422):
            raise
        return {"items": [], "next_cursor": None}, BAD_CURSOR


@router.post("/loans/{loan_id}/decide")
async def decide_loan(request: Request, loan_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    """Approve or decline a resident's request to borrow; back to the list it was decided from."""
    action = form.one("action")
    token = await web.token(request) or ""
    loan, etag = await web.services.assets.loan(token, loan_id)
    require_hub(session, loan["hub_id"])
    reason = form.one("reason")[:500] or None
    if action not in ("approve", "decline"):
        session.set_flash("Choose to approve or decline the request.")
    else:
        try:
            await web.services.assets.decide_loan(token, loan_id, action, etag, reason)
        except ServiceProblem as problem:
            if problem.status not in (409, 412, 422):
                raise
            session.set_flash(f"That did not work: {problem.detail}")
        else:
            done = "approved: the equipment is reserved" if action == "approve" else "declined"
            session.set_flash(f"Request {done}. The resident will be told.")
    back = form.one("back")
    local = back.startswith("/staff/") and not back.startswith("//")
    return web.redirect(back if local else f"/staff/hubs/{seg(loan['hub_id'])}/loans?status=requested")

"""The staff insight dashboard: issues, volunteer hours and room and equipment use over time, as charts.

Each service answers the figures it owns (``GET /v1/insight`` of issues, volunteers and assets, with
the staff member's own token, for one hub or all of theirs); the three calls go out at once, so the
page takes about as long as the slowest of them, and the response says so in its ``Server-Timing``
header (each call's time, the fetch as a whole, the page). A service that does not answer blanks its
own section only. Every series downloads as CSV: figures per week or month, never a person.
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub_web.charts import Series, bar_chart, line_chart
from hub_web.clients import ServiceClient, ServiceDown, ServiceProblem
from hub_web.deps import Staff, WebDep, require_hub
from hub_web.session import Session
from hub_web.web import Web

router = APIRouter(prefix="/staff/insight", include_in_schema=False)

PERIODS = (3, 6, 12)  # months the page offers, this one included
DEFAULT_MONTHS = 6
SOURCES = ("issues", "volunteers", "assets")
UNAVAILABLE = "These figures are not available right now. Try again in a few minutes."


@dataclass
class Fetched:
    """One service's answer for the page: its figures or why they are missing, and how long it took."""

    data: dict[str, Any] | None
    error: str | None
    ms: float


async def timed(call: Awaitable[dict[str, Any]]) -> Fetched:
    started = time.perf_counter()
    try:
        data, error = await call, None
    except ServiceDown:
        data, error = None, UNAVAILABLE
    except ServiceProblem as problem:
        data, error = None, problem.detail
    return Fetched(data, error, (time.perf_counter() - started) * 1000)


def period(months: int, today: date) -> tuple[date, date]:
    """This month and the ``months - 1`` before it, to the end of today (``to`` exclusive)."""
    month = today.month - months  # 0-based month index of the first month, relative to this year
    start = date(today.year + month // 12, month % 12 + 1, 1)
    return start, today + timedelta(days=1)


def insight_call(
    client: ServiceClient, token: str, hub_ids: list[str], start: date, end: date
) -> Awaitable[dict[str, Any]]:
    params = [*(("hub_id", h) for h in hub_ids), ("from", start.isoformat()), ("to", end.isoformat())]
    return client.get("/v1/insight", token=token, params=params)


async def fetch(web: Web, token: str, hub_ids: list[str], start: date, end: date, sources=SOURCES) -> dict:
    """The named services' insight for the hubs, all at once."""
    clients = {"issues": web.services.issues, "volunteers": web.services.volunteers, "assets": web.services.assets}
    answers = await asyncio.gather(*(timed(insight_call(clients[s], token, hub_ids, start, end)) for s in sources))
    return dict(zip(sources, answers, strict=True))


def server_timing(fetched: dict[str, Fetched], fetch_ms: float, total_ms: float) -> str:
    """``Server-Timing``: each service call, the concurrent fetch as a whole, and the whole page."""
    calls = [f'{name};dur={f.ms:.1f};desc="{name} insight"' for name, f in fetched.items()]
    return ", ".join([*calls, f'fetch;dur={fetch_ms:.1f};desc="all calls"', f'total;dur={total_ms:.1f};desc="page"'])


# -- the scope: which hubs, which months ------------------------------------------------------------


async def managed_hubs(web: Web, session: Session) -> list[dict[str, Any]]:
    return [h for h in await web.hubs() if session.can_manage(h["id"])]


def chosen(hubs: list[dict[str, Any]], session: Session, hub: str | None, months: str | None):
    """The hubs asked for (one, or all the account manages) and the months; a hub not theirs is 403."""
    months_n = int(months) if months and months.isdigit() and int(months) in PERIODS else DEFAULT_MONTHS
    if hub and hub != "all":
        require_hub(session, hub)
        if hub not in {h["id"] for h in hubs}:
            raise StarletteHTTPException(404)
        return [h for h in hubs if h["id"] == hub], hub, months_n
    return hubs, "all", months_n


# -- the series: chart, table and CSV from the same rows ---------------------------------------------


def week_label(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%-d %b")


def month_label(key: str) -> str:
    return datetime.strptime(key, "%Y-%m").strftime("%b %Y")


CSV_SERIES: dict[str, tuple[str, str, Callable[[dict[str, Any]], list[list[Any]]], list[str]]] = {
    # name: (service, what it is, rows of the service's answer, header)
    "issues-weekly": (
        "issues",
        "Issues opened and fixed per week",
        lambda d: [[w["week"], w["opened"], w["fixed"]] for w in d["weekly"]],
        ["week_starting", "opened", "fixed"],
    ),
    "time-to-fix": (
        "issues",
        "Median time to fix by category",
        lambda d: [[c["service_code"], c["service_name"], c["fixed"], c["median_hours"]] for c in d["time_to_fix"]],
        ["category_code", "category", "fixed", "median_hours_to_fix"],
    ),
    "satisfaction-weekly": (
        "issues",
        "Satisfaction per week",
        lambda d: [[w["week"], w["answers"], w["average"]] for w in d["satisfaction"]["weekly"]],
        ["week_starting", "answers", "average_satisfaction_1_to_5"],
    ),
    "satisfaction-monthly": (
        "issues",
        "Satisfaction per month",
        lambda d: [[m["month"], m["answers"], m["average"]] for m in d["satisfaction"]["monthly"]],
        ["month", "answers", "average_satisfaction_1_to_5"],
    ),
    "volunteer-hours": (
        "volunteers",
        "Approved volunteer hours per month",
        lambda d: [[m["month"], m["hours"], m["entries"]] for m in d["monthly"]],
        ["month", "approved_hours", "entries"],
    ),
    "room-and-equipment-use": (
        "assets",
        "Room bookings and equipment loans per month",
        lambda d: [[m["month"], m["bookings"], m["booked_hours"], m["loans"]] for m in d["monthly"]],
        ["month", "room_bookings", "booked_hours", "equipment_loans"],
    ),
}


def csv_cell(value: Any) -> str:
    """One cell: empty for no figure; text that a spreadsheet would run as a formula is quoted off."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def charts(fetched: dict[str, Fetched]) -> dict[str, Any]:
    """The page's charts, drawn from the answers that came."""
    drawn: dict[str, Any] = {}
    issues = fetched["issues"].data
    if issues:
        weeks = [week_label(w["week"]) for w in issues["weekly"]]
        drawn["issues_weekly"] = bar_chart(
            "chart-issues-weekly",
            "Issues opened and fixed per week",
            weeks,
            [
                Series("Opened", [w["opened"] for w in issues["weekly"]]),
                Series("Fixed", [w["fixed"] for w in issues["weekly"]]),
            ],
            note="Bars per week (weeks start on Monday): opened in solid blue, fixed hatched orange.",
        )
        categories = issues["time_to_fix"]
        if categories:
            drawn["time_to_fix"] = bar_chart(
                "chart-time-to-fix",
                "Median time to fix by category (hours)",
                [c["service_name"] for c in categories],
                [Series("Median hours to fix", [c["median_hours"] for c in categories])],
                unit="h",
                note="Of the issues fixed in the period.",
            )
        monthly = issues["satisfaction"]["monthly"]
        drawn["satisfaction"] = line_chart(
            "chart-satisfaction",
            "Satisfaction with fixes per month (1 to 5)",
            [month_label(m["month"]) for m in monthly],
            [Series("Average satisfaction", [m["average"] for m in monthly])],
            top=5,
            note="From the after-fix questionnaire; a gap is a month without answers.",
        )
    hours = fetched["volunteers"].data
    if hours:
        drawn["hours"] = bar_chart(
            "chart-hours",
            "Approved volunteer hours per month",
            [month_label(m["month"]) for m in hours["monthly"]],
            [Series("Approved hours", [m["hours"] for m in hours["monthly"]])],
            unit="h",
        )
    use = fetched["assets"].data
    if use:
        drawn["use"] = bar_chart(
            "chart-use",
            "Room bookings and equipment loans per month",
            [month_label(m["month"]) for m in use["monthly"]],
            [
                Series("Room bookings", [m["bookings"] for m in use["monthly"]]),
                Series("Equipment loans", [m["loans"] for m in use["monthly"]]),
            ],
            note="Bookings (confirmed or held, by month of start) solid blue; loans handed over hatched orange.",
        )
    return drawn


# -- the routes ---------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
async def dashboard(
    request: Request, web: WebDep, session: Staff, hub: str | None = None, months: str | None = None
) -> HTMLResponse:
    started = time.perf_counter()
    hubs = await managed_hubs(web, session)
    shown, selected, months_n = chosen(hubs, session, hub, months)
    start, end = period(months_n, datetime.now(UTC).date())
    fetched: dict[str, Fetched] = {}
    fetch_ms = 0.0
    if shown:
        token = await web.token(request) or ""
        fetch_started = time.perf_counter()
        fetched = await fetch(web, token, [h["id"] for h in shown], start, end)
        fetch_ms = (time.perf_counter() - fetch_started) * 1000
    scope = "all your hubs" if selected == "all" else shown[0]["name"] if shown else "no hubs"
    response = await web.render(
        request,
        "staff/insight.html",
        title="Insight",
        hubs=hubs,
        shown=shown,
        selected=selected,
        months=months_n,
        periods=PERIODS,
        scope=scope,
        start=start,
        last_day=end - timedelta(days=1),
        fetched=fetched,
        charts=charts(fetched) if fetched else {},
        csv_series=CSV_SERIES,
        week_label=week_label,
        month_label=month_label,
    )
    if fetched:
        response.headers["Server-Timing"] = server_timing(fetched, fetch_ms, (time.perf_counter() - started) * 1000)
    return response


@router.get("/{series}.csv")
async def download(
    request: Request, series: str, web: WebDep, session: Staff, hub: str | None = None, months: str | None = None
) -> Response:
    if series not in CSV_SERIES:
        raise StarletteHTTPException(404)
    service, _what, rows_of, header = CSV_SERIES[series]
    hubs = await managed_hubs(web, session)
    shown, selected, months_n = chosen(hubs, session, hub, months)
    if not shown:
        raise StarletteHTTPException(404)
    start, end = period(months_n, datetime.now(UTC).date())
    token = await web.token(request) or ""
    answer = (await fetch(web, token, [h["id"] for h in shown], start, end, sources=(service,)))[service]
    if answer.data is None:
        if answer.error == UNAVAILABLE:
            raise ServiceDown(service, "insight")
        raise ServiceProblem(service, 422, "Not available", answer.error or "")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_cell(v) for v in row] for row in rows_of(answer.data))
    filename = f"insight-{series}-{selected}-{start.isoformat()}-to-{(end - timedelta(days=1)).isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

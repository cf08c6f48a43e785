"""The staff insight page and its CSV downloads, with the three services' insight APIs faked."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re

import httpx
from web_testkit import HUB, csrf_of

from hub_testkit.tokens import decode as decode_token
from hub_web.accounts import hash_password

HUB_B = {**HUB, "id": "hub-b", "name": "Beta Hub"}
ACCOUNT = {"username": "ana", "name": "Ana", "role": "staff", "hubs": ["hub-a", "hub-b"],
           "password_hash": hash_password("ana-password")}  # fmt: skip
PORTS = {8001: "volunteers", 8002: "issues", 8003: "assets"}
SCOPE = {"hub_ids": ["hub-a"], "from": "2026-06-01", "to": "2026-12-04"}
ANSWERS = {
    "issues": {
        **SCOPE,
        "weekly": [{"week": "2026-11-16", "opened": 4, "fixed": 1}, {"week": "2026-11-23", "opened": 2, "fixed": 3}],
        "time_to_fix": [
            {"service_code": "litter", "service_name": "Litter", "fixed": 3, "median_hours": 20.5},
            {"service_code": "formula", "service_name": '=HYPERLINK("x")', "fixed": 1, "median_hours": 2.0},
        ],
        "overdue": 7,
        "satisfaction": {
            "weekly": [
                {"week": "2026-11-16", "answers": 2, "average": 4.5},
                {"week": "2026-11-23", "answers": 0, "average": None},
            ],
            "monthly": [
                {"month": "2026-10", "answers": 0, "average": None},
                {"month": "2026-11", "answers": 2, "average": 4.5},
            ],
        },
    },
    "volunteers": {
        **SCOPE,
        "monthly": [
            {"month": "2026-10", "hours": 12.5, "entries": 5},
            {"month": "2026-11", "hours": 3.0, "entries": 1},
        ],
    },
    "assets": {
        **SCOPE,
        "monthly": [
            {"month": "2026-10", "bookings": 3, "booked_hours": 6.0, "loans": 2},
            {"month": "2026-11", "bookings": 1, "booked_hours": 1.5, "loans": 0},
        ],
    },
}


class FakeInsight:
    """Each service's ``GET /v1/insight``. With ``together`` set, no call is answered before all three
    have arrived: the page only loads if it makes them at the same time."""

    def __init__(self, down: tuple[str, ...] = (), together: bool = False) -> None:
        self.down = down
        self.calls: list[tuple[str, list[str], str]] = []
        self.arrived = asyncio.Event() if together else None

    async def __call__(self, request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/hubs":
            return httpx.Response(200, json={"items": [HUB, HUB_B], "next_cursor": None})
        if request.url.path != "/v1/insight":
            return None
        service = PORTS[request.url.port]
        self.calls.append((service, request.url.params.get_list("hub_id"), request.headers["authorization"]))
        if self.arrived is not None:
            if len(self.calls) == 3:
                self.arrived.set()
            await asyncio.wait_for(self.arrived.wait(), timeout=5)
        if service in self.down:
            return httpx.Response(503, json={"title": "Unavailable"})
        return httpx.Response(200, json=ANSWERS[service])


async def sign_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/sign-in")
    data = {"username": "ana", "password": "ana-password", "csrf_token": csrf_of(form.text)}
    assert (await client.post("/sign-in", data=data)).status_code == 303


async def clients(make_client, fake: FakeInsight):
    async for client in make_client(AsyncHandler(fake), staff_accounts=json.dumps([ACCOUNT])):
        yield client


class AsyncHandler:
    """A handler the test kit's MockTransport route can return an awaitable from."""

    def __init__(self, fake: FakeInsight) -> None:
        self.fake = fake

    def __call__(self, request: httpx.Request):
        if request.url.path in ("/v1/hubs", "/v1/insight"):
            return self.fake(request)
        return None


async def test_the_insight_page_needs_a_staff_sign_in(make_client) -> None:
    async for client in clients(make_client, FakeInsight()):
        assert (await client.get("/staff/insight")).headers["location"] == "/sign-in?next=/staff/insight"
        csv_link = await client.get("/staff/insight/issues-weekly.csv")
        assert csv_link.status_code == 303 and csv_link.headers["location"].startswith("/sign-in")


async def test_staff_see_charts_with_titles_descriptions_and_tables_from_three_concurrent_calls(make_client) -> None:
    fake = FakeInsight(together=True)
    async for client in clients(make_client, fake):
        await sign_in(client)
        page = await client.get("/staff/insight", params={"hub": "hub-a"})
        assert page.status_code == 200, page.text
        assert sorted(service for service, _, _ in fake.calls) == ["assets", "issues", "volunteers"]
        assert all(hubs == ["hub-a"] for _, hubs, _ in fake.calls)
        token = fake.calls[0][2].split()[1]
        staff = decode_token(token)  # the staff member's own token: the services check the hubs
        assert staff.role == "staff" and set(staff.hubs) == {"hub-a", "hub-b"}
        html = page.text
        charts = re.findall(r'<svg [^>]*role="img" aria-labelledby="([^"]+)"', html)
        assert len(charts) == 5
        for labelled_by in charts:
            title_id, desc_id = labelled_by.split()
            assert f'<title id="{title_id}">' in html and f'<desc id="{desc_id}">' in html
        assert '<title id="chart-issues-weekly-title">Issues opened and fixed per week</title>' in html
        assert "Opened: highest 4 (16 Nov)" in html  # the description says what the chart shows
        assert html.count("<table") == 5 and "<caption>Approved volunteer hours per month</caption>" in html
        assert ">7</span> overdue now" in html and "20.5 hours" in html
        assert 'href="/staff/insight/issues-weekly.csv?hub=hub-a&amp;months=6"' in html
        assert '<option value="hub-a" selected>Alpha Hub</option>' in html
        timing = page.headers["server-timing"]
        for name in ("issues", "volunteers", "assets", "fetch", "total"):
            assert re.search(rf"\b{name};dur=[0-9.]+", timing), timing
        assert "<script" not in html.split("<main", 1)[1]  # the charts need no script


async def test_all_my_hubs_asks_each_service_for_every_hub_of_the_account(make_client) -> None:
    fake = FakeInsight()
    async for client in clients(make_client, fake):
        await sign_in(client)
        page = await client.get("/staff/insight", params={"months": "12"})
        assert page.status_code == 200
        assert {tuple(hubs) for _, hubs, _ in fake.calls} == {("hub-a", "hub-b")}
        assert "Figures for <strong>all your hubs</strong>" in page.text
        assert '<option value="12" selected>Last 12 months</option>' in page.text
        assert (await client.get("/staff/insight", params={"hub": "hub-z"})).status_code == 403


async def test_a_service_that_is_down_blanks_only_its_own_section(make_client) -> None:
    fake = FakeInsight(down=("volunteers",))
    async for client in clients(make_client, fake):
        await sign_in(client)
        page = await client.get("/staff/insight", params={"hub": "hub-a"})
        assert page.status_code == 200
        hours_section = page.text.split('id="hours"', 1)[1].split('id="use"', 1)[0]
        assert "These figures are not available right now" in hours_section
        assert "chart-hours" not in page.text and "chart-issues-weekly" in page.text and "chart-use" in page.text
        assert (await client.get("/staff/insight/volunteer-hours.csv", params={"hub": "hub-a"})).status_code == 503


async def test_each_series_downloads_as_csv_with_figures_only(make_client) -> None:
    fake = FakeInsight()
    async for client in clients(make_client, fake):
        await sign_in(client)
        download = await client.get("/staff/insight/time-to-fix.csv", params={"hub": "hub-a", "months": "3"})
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("text/csv")
        assert re.match(
            r'attachment; filename="insight-time-to-fix-hub-a-\d{4}-\d\d-01-to-',
            download.headers["content-disposition"],
        )
        rows = list(csv.reader(io.StringIO(download.text)))
        assert rows[0] == ["category_code", "category", "fixed", "median_hours_to_fix"]
        assert rows[1] == ["litter", "Litter", "3", "20.5"]
        assert rows[2][1] == '\'=HYPERLINK("x")'  # never run as a formula
        assert [service for service, _, _ in fake.calls] == ["issues"]  # only the service the series is from
        use = list(csv.reader(io.StringIO((await client.get("/staff/insight/room-and-equipment-use.csv")).text)))
        assert use == [["month", "room_bookings", "booked_hours", "equipment_loans"],
                       ["2026-10", "3", "6.0", "2"], ["2026-11", "1", "1.5", "0"]]  # fmt: skip
        satisfaction = (await client.get("/staff/insight/satisfaction-weekly.csv")).text
        assert satisfaction.splitlines()[2] == "2026-11-23,0,"  # no answers: no average
        assert (await client.get("/staff/insight/people.csv")).status_code == 404
        assert (await client.get("/staff/insight/issues-weekly.csv", params={"hub": "hub-z"})).status_code == 403

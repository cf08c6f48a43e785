"""The staff console's growing lists (filters, search, pages, the map view) and residents' requests to
borrow and book, with the services behind an httpx MockTransport (view logic only: the journeys
against the real services are in test_browser_journeys.py)."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import httpx
from web_testkit import HUB, ISSUE, csrf_of

from hub_testkit.tokens import decode as decode_token
from hub_web.accounts import hash_password
from hub_web.paging import Pager

NOT_GIVEN = {"description": None, "address": None, "service": None, "organisation": None, "funding": None}
ACCOUNT = {"username": "alpha", "name": "Alpha staff", "role": "staff", "hubs": ["hub-a"],
           "password_hash": hash_password("alpha-password")}  # fmt: skip
STAFF = {"staff_accounts": json.dumps([ACCOUNT])}
PLACE = {"hub_id": "hub-a", "status": "active", "tags": [], "opening_hours": [], "room": None, "equipment": None}
KIT = {
    **PLACE, **NOT_GIVEN, "id": "kit-1", "kind": "equipment", "name": "Litter-picking kit",
    "equipment": {"quantity": 4, "max_loan_days": 7, "condition": "good"},
}  # fmt: skip
ROOM = {
    **PLACE, **NOT_GIVEN, "id": "room-1", "kind": "room", "name": "Garden Room",
    "room": {"capacity": 20, "policy": {"requires_approval": True, "bookable_by": ["staff", "resident"]},
             "accessibility": [], "facilities": []},
}  # fmt: skip


async def sign_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/sign-in")
    data = {"username": "alpha", "password": "alpha-password", "csrf_token": csrf_of(form.text)}
    assert (await client.post("/sign-in", data=data)).status_code == 303


def links(html: str, words: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a href="([^"]+)"[^>]*>' + words + "</a>", html)]


def test_the_paging_trail_goes_forward_and_back_with_the_filters_kept() -> None:
    filters = [("status", "reported")]
    first = Pager.of(None, None)
    assert first.previous_href("/l", filters) is None and first.number == 1
    second_href = first.next_href("/l", filters, "c2")
    second = Pager.of(*(dict(parse_qsl(urlsplit(second_href).query)).get(k) for k in ("cursor", "trail")))
    assert second.number == 2 and second.previous_href("/l", filters) == "/l?status=reported"
    third_href = second.next_href("/l", filters, "c3")
    query = dict(parse_qsl(urlsplit(third_href).query))
    third = Pager.of(query["cursor"], query["trail"])
    assert third.number == 3 and query["status"] == "reported"
    back = dict(parse_qsl(urlsplit(third.previous_href("/l", filters)).query))
    assert back["cursor"] == "c2" and Pager.of(back["cursor"], back["trail"]).number == 2
    assert third.first_href("/l", filters) == "/l?status=reported"
    assert second.next_href("/l", filters, None) is None


async def test_staff_filter_search_and_page_a_hubs_issues(make_client) -> None:
    asked: list[httpx.Request] = []

    def services(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/hubs/hub-a/issues":
            asked.append(request)
            if request.url.params.get("cursor") == "stale":
                return httpx.Response(400, json={"title": "Invalid cursor", "detail": "start again"})
            if request.url.params.get("q") == "!!":
                return httpx.Response(422, json={"title": "Rule violated", "detail": "no words"})
            more = None if request.url.params.get("cursor") else "next-1"
            return httpx.Response(200, json={"items": [ISSUE], "next_cursor": more})
        if request.url.path == "/v1/hubs/hub-a/services":
            return httpx.Response(200, json={"items": [{"code": "litter", "name": "Litter"}], "next_cursor": None})
        return None

    async for client in make_client(services, **STAFF):
        assert (await client.get("/staff/hubs/hub-a/issues")).headers["location"].startswith("/sign-in")
        await sign_in(client)
        page = await client.get(
            "/staff/hubs/hub-a/issues",
            params={"q": "glass", "category": "litter", "overdue": "yes", "assignee": "crew-b"},
        )
        assert page.status_code == 200 and "/staff/issues/iss-1" in page.text
        params = asked[-1].url.params
        assert set(params.get_list("status")) == {"reported", "acknowledged", "in_progress", "referred"}
        assert (params["q"], params["service_code"], params["overdue"], params["assignee"]) == (
            "glass", "litter", "true", "crew-b"
        )  # fmt: skip
        assert decode_token(asked[-1].headers["authorization"].split()[1]).role == "staff"
        assert 'value="glass"' in page.text and '<option value="litter" selected>' in page.text
        [next_link] = links(page.text, "Next page")
        assert "q=glass" in next_link and "cursor=next-1" in next_link and not links(page.text, "Previous page")
        second = await client.get(next_link)
        assert asked[-1].url.params["cursor"] == "next-1" and asked[-1].url.params["q"] == "glass"
        [previous] = links(second.text, "Previous page")
        assert "cursor" not in previous and "q=glass" in previous

        every = await client.get("/staff/hubs/hub-a/issues", params={"status": "all"})
        assert every.status_code == 200 and "status" not in asked[-1].url.params
        one = await client.get("/staff/hubs/hub-a/issues", params={"status": "fixed"})
        assert one.status_code == 200 and asked[-1].url.params.get_list("status") == ["fixed"]
        stale = await client.get("/staff/hubs/hub-a/issues", params={"cursor": "stale", "trail": "~"})
        assert stale.status_code == 200 and "That page link no longer works" in stale.text
        bad = await client.get("/staff/hubs/hub-a/issues", params={"q": "!!"})
        assert bad.status_code == 200 and "Search for whole words" in bad.text
        assert (await client.get("/staff/hubs/hub-b/issues")).status_code == 403
        assert (await client.get("/staff/hubs/hub-a/issues", params={"q": "x" * 201})).status_code == 422


async def test_the_volunteer_booking_and_loan_lists_page_by_status(make_client) -> None:
    asked: list[httpx.Request] = []
    loan = {"id": "loan-1", "asset_id": "kit-1", "hub_id": "hub-a", "borrower_kind": "resident",
            "borrower_id": "web-x", "quantity": 2, "starts_at": "2026-12-05T09:00:00Z",
            "due_at": "2026-12-07T17:00:00Z", "status": "requested", "notes": "Litter pick", "version": 1}  # fmt: skip

    def services(request: httpx.Request) -> httpx.Response | None:
        path = request.url.path
        if path in ("/v1/volunteers", "/v1/bookings", "/v1/loans"):
            asked.append(request)
            volunteer = {"id": "vol-1", "name": "Amira", "created_at": "2026-11-01T10:00:00Z", "best_check": None}
            items = {"/v1/loans": [loan], "/v1/volunteers": [volunteer]}.get(path, [])
            return httpx.Response(200, json={"items": items, "next_cursor": "more"})
        if path == "/v1/assets":
            return httpx.Response(200, json={"items": [KIT], "next_cursor": None})
        if path == "/v1/loans/loan-1" and request.method == "GET":
            return httpx.Response(200, json=loan, headers={"ETag": '"v1"'})
        if path == "/v1/loans/loan-1/approve":
            asked.append(request)
            return httpx.Response(200, json={**loan, "status": "reserved"})
        return None

    async for client in make_client(services, **STAFF):
        await sign_in(client)
        volunteers = await client.get("/staff/hubs/hub-a/volunteers", params={"status": "active"})
        assert volunteers.status_code == 200 and asked[-1].url.params["status"] == "active"
        assert links(volunteers.text, "Next page")
        bookings = await client.get("/staff/hubs/hub-a/bookings", params={"status": "nonsense"})
        assert bookings.status_code == 200 and asked[-1].url.params["status"] == "requested"
        loans = await client.get("/staff/hubs/hub-a/loans", params={"status": "requested"})
        assert loans.status_code == 200 and "Litter-picking kit \u00d7 2" in loans.text and "Litter pick" in loans.text
        decided = await client.post(
            "/staff/loans/loan-1/decide",
            data={
                "action": "approve",
                "back": "/staff/hubs/hub-a/loans?status=requested",
                "csrf_token": csrf_of(loans.text),
            },
        )
        assert decided.status_code == 303 and decided.headers["location"] == "/staff/hubs/hub-a/loans?status=requested"
        assert asked[-1].url.path == "/v1/loans/loan-1/approve" and asked[-1].headers["if-match"] == '"v1"'
        offsite = await client.post(
            "/staff/loans/loan-1/decide",
            data={"action": "approve", "back": "https://evil.example/", "csrf_token": csrf_of(loans.text)},
        )
        assert offsite.headers["location"] == "/staff/hubs/hub-a/loans?status=requested"


async def test_a_resident_asks_to_borrow_and_sees_the_request(make_client) -> None:
    sent: list[httpx.Request] = []
    requested = {"id": "loan-9", "asset_id": "kit-1", "hub_id": "hub-a", "borrower_kind": "resident",
                 "borrower_id": "web-x", "quantity": 2, "starts_at": "2030-01-07T09:00:00Z",
                 "due_at": "2030-01-09T17:00:00Z", "status": "requested", "notes": "", "version": 1}  # fmt: skip

    def services(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/assets/kit-1":
            return httpx.Response(200, json=KIT)
        if request.url.path == "/v1/equipment/kit-1/loan-requests":
            sent.append(request)
            return httpx.Response(201, json=requested)
        if request.url.path == "/v1/loans":
            return httpx.Response(200, json={"items": [requested], "next_cursor": None})
        if request.url.path == "/v1/bookings":
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        return None

    async for client in make_client(services):
        place = await client.get("/places/kit-1")
        assert place.status_code == 200 and 'href="/places/kit-1/borrow"' in place.text
        form = await client.get("/places/kit-1/borrow")
        data = {"csrf_token": csrf_of(form.text), "idempotency_key": "k-1", "quantity": "9",
                "from-day": "7", "from-month": "1", "from-year": "2030",
                "until-day": "6", "until-month": "1", "until-year": "2030"}  # fmt: skip
        refused = await client.post("/places/kit-1/borrow", data=data)
        assert refused.status_code == 400 and not sent
        assert "The return day must be" in refused.text and "from 1 to 4" in refused.text
        assert "Enter an email address or a phone number" in refused.text
        data |= {"until-day": "9", "quantity": "2", "name": "Winifred Quill", "email": "winnie@example.org"}
        done = await client.post("/places/kit-1/borrow", data=data)
        assert done.status_code == 303 and done.headers["location"] == "/my-requests"
        body = json.loads(sent[0].content)
        assert body["starts_at"] == "2030-01-07T09:00:00+00:00" and body["due_at"] == "2030-01-09T17:00:00+00:00"
        assert body["quantity"] == 2 and body["contact"] == {
            "display_name": "Winifred Quill",
            "email": "winnie@example.org",
        }
        assert sent[0].headers["idempotency-key"] == "k-1"
        assert decode_token(sent[0].headers["authorization"].split()[1]).role == "resident"
        mine = await client.get("/my-requests")
        assert "Your request to borrow Litter-picking kit has been sent" in mine.text
        assert "Waiting for the hub to decide" in mine.text and "Litter-picking kit \u00d7 2" in mine.text


async def test_a_resident_asks_to_book_a_room_and_a_clash_is_explained(make_client) -> None:
    def services(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/assets/room-1":
            return httpx.Response(200, json=ROOM)
        if request.url.path == "/v1/rooms/room-1/bookings":
            return httpx.Response(
                409, json={"title": "Conflict", "detail": "the room is already booked for part of this slot"}
            )
        return None

    async for client in make_client(services):
        place = await client.get("/places/room-1")
        assert 'href="/places/room-1/book"' in place.text
        form = await client.get("/places/room-1/book")
        data = {"csrf_token": csrf_of(form.text), "on-day": "7", "on-month": "1", "on-year": "2030", "starts": "14:00",
                "ends": "13:00", "name": "Ada", "email": "ada@example.org"}  # fmt: skip
        early = await client.post("/places/room-1/book", data=data)
        assert early.status_code == 400 and "The end time must be after the start time" in early.text
        clash = await client.post("/places/room-1/book", data={**data, "ends": "16:00"})
        assert clash.status_code == 400 and "already booked for part of this slot" in clash.text
        assert (await client.get("/places/kit-1/book")).status_code == 404
        assert HUB["id"] == "hub-a"


async def test_the_dashboard_shows_the_first_few_of_each_list_with_links_to_the_rest(make_client) -> None:
    priority = {k: ISSUE[k] for k in ("id", "service_code", "service_name", "description", "status",
                                      "support_count", "requested_at", "lat", "lon")}  # fmt: skip
    loan = {"id": "loan-1", "asset_id": "kit-1", "hub_id": "hub-a", "borrower_kind": "resident",
            "borrower_id": "web-x", "quantity": 1, "starts_at": "2026-12-05T09:00:00Z",
            "due_at": "2026-12-07T17:00:00Z", "status": "requested", "notes": "Litter pick", "version": 1}  # fmt: skip

    def services(request: httpx.Request) -> httpx.Response | None:
        answers = {
            "/v1/hubs/hub-a/priorities": [priority],
            "/v1/hubs/hub-a/issues": [{**ISSUE, "expected_at": "2026-11-21T10:00:00Z"}],
            "/v1/loans": [loan] if request.url.params.get("status") == "requested" else [],
            "/v1/assets": [KIT] if request.url.params.get("kind") == "equipment" else [],
        }
        if request.url.path in answers:
            return httpx.Response(200, json={"items": answers[request.url.path], "next_cursor": "more"})
        return None

    async for client in make_client(services, **STAFF):
        await sign_in(client)
        dashboard = await client.get("/staff/hubs/hub-a")
        assert dashboard.status_code == 200
        assert 'href="/staff/hubs/hub-a/issues?overdue=yes"' in dashboard.text  # more overdue than shown
        assert "The 1 most supported open issues" in dashboard.text
        assert "Litter-picking kit: " in dashboard.text and 'action="/staff/loans/loan-1/decide"' in dashboard.text
        assert 'href="/staff/hubs/hub-a/issues?view=map"' in dashboard.text

"""The web app's own behaviour, with the services behind an httpx MockTransport (view logic only:
the journeys against the real services are in test_browser_journeys.py)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager

from hub_common.auth import decode_token, issue_token
from hub_web.app import create_app
from hub_web.settings import WebSettings

SECRET = "test-secret-with-enough-length-0123456789"
HUB = {
    "id": "hub-a",
    "name": "Alpha Hub",
    "boundary": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
}
ISSUE = {
    "id": "iss-1", "hub_id": "hub-a", "service_code": "litter", "service_name": "Litter", "group": "Street",
    "description": "Bags", "status": "reported", "lat": 0.5, "lon": 0.5, "address": None, "support_count": 0,
    "requested_at": "2026-11-20T10:00:00Z", "expected_at": None, "media_url": None, "agency_responsible": None,
    "history": [], "version": 1,
}  # fmt: skip


def fake_services(handler: Callable[[httpx.Request], httpx.Response | None] | None = None) -> httpx.MockTransport:
    def route(request: httpx.Request) -> httpx.Response:
        answer = handler(request) if handler else None
        if answer is not None:
            return answer
        if request.url.path == "/v1/hubs":
            return httpx.Response(200, json={"items": [HUB], "next_cursor": None})
        if request.url.path == "/v1/issues/iss-1":
            return httpx.Response(200, json=ISSUE, headers={"ETag": '"v1"'})
        return httpx.Response(404, json={"title": "Not found", "detail": "nothing here"})

    return httpx.MockTransport(route)


@pytest.fixture
def make_client() -> Callable[..., AsyncIterator[httpx.AsyncClient]]:
    async def make(handler=None, **settings) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(WebSettings(auth_secret=SECRET, **settings), transport=fake_services(handler))
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://web.test") as client:
                yield client

    return make


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def test_pages_are_html_with_security_headers_and_a_skip_link(make_client) -> None:
    async for client in make_client():
        page = await client.get("/")
        assert page.status_code == 200 and "Alpha Hub" in page.text
        assert '<a href="#main" class="skip-link">' in page.text and '<main id="main"' in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
        cookie = page.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


async def test_a_form_without_the_sessions_csrf_token_is_refused(make_client) -> None:
    async for client in make_client():
        await client.get("/report")
        refused = await client.post("/report", data={"step": "place", "csrf_token": "forged"})
        assert refused.status_code == 400 and "Your form has expired" in refused.text
        page = await client.get("/report")
        accepted = await client.post("/report", data={"step": "place", "csrf_token": csrf_of(page.text)})
        assert accepted.status_code == 200 and "There is a problem" in accepted.text


async def test_a_service_that_is_down_gives_a_friendly_try_again_page(make_client) -> None:
    def down(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.startswith("/v1/hubs"):
            return httpx.Response(503, json={"title": "Service unavailable"})
        return None

    async for client in make_client(down):
        page = await client.get("/")
        assert page.status_code == 503 and page.headers["retry-after"] == "30"
        assert "Try again in a few minutes" in page.text


async def test_staff_pages_need_a_staff_sign_in_and_wrong_passwords_are_refused(make_client) -> None:
    async for client in make_client(demo_accounts=True):
        assert (await client.get("/staff/hubs/hub-a")).headers["location"] == "/sign-in?next=/staff/hubs/hub-a"
        form = await client.get("/sign-in")
        wrong = await client.post(
            "/sign-in", data={"username": "northfield", "password": "nope", "csrf_token": csrf_of(form.text)}
        )
        assert wrong.status_code == 400 and "The username or password is not right" in wrong.text
        evil = await client.post(
            "/sign-in",
            data={
                "username": "northfield",
                "password": "demo-password",
                "csrf_token": csrf_of(wrong.text),
                "next": "//evil.example/",
            },
        )
        assert evil.status_code == 303 and evil.headers["location"] == "/staff"  # never off-site


async def test_an_email_link_signs_the_resident_in_and_drops_the_token(make_client) -> None:
    async for client in make_client():
        token = issue_token(SECRET, sub="res-42", role="resident", hubs=["hub-a"], ttl=timedelta(days=30))
        follow = await client.get(f"/issues/iss-1?token={token}")
        assert follow.status_code == 303 and follow.headers["location"] == "/issues/iss-1"
        page = await client.get("/issues/iss-1")
        assert "You reported this problem" in page.text
        staff_token = issue_token(SECRET, sub="s", role="staff", hubs=["hub-a"])
        other = await client.get(f"/issues/iss-1?token={staff_token}")  # only residents sign in by link
        assert other.status_code == 303
        assert "Your reports" in (await client.get("/issues/iss-1")).text  # still the resident


async def test_the_dev_sign_in_is_off_unless_configured(make_client) -> None:
    async for client in make_client():
        page = await client.get("/sign-in")
        assert "Demo volunteers" not in page.text
        refused = await client.post(
            "/dev/sign-in", data={"sub": "demo-vol-amira-account", "csrf_token": csrf_of(page.text)}
        )
        assert refused.status_code == 403


async def test_a_volunteer_asks_for_a_sign_in_link_and_the_emailed_link_signs_them_in(make_client) -> None:
    asked: list[dict] = []
    volunteer = {"id": "vol-1", "name": "Rita Moreno", "sub": "web-rita", "hub_id": "hub-a", "status": "active"}

    def services(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/volunteers/sign-in-links":
            asked.append(json.loads(request.content))
            return httpx.Response(202, json={"detail": "sent if known"})
        if request.url.path == "/v1/volunteers/me":
            sub = decode_token(SECRET, request.headers["authorization"].split()[1]).sub
            if sub == "web-rita":
                return httpx.Response(200, json=volunteer, headers={"ETag": '"v1"'})
            return httpx.Response(404, json={"title": "Not found", "detail": "not a volunteer"})
        return None

    async for client in make_client(services):
        form = await client.get("/volunteer/sign-in-link")
        assert form.status_code == 200 and "Email me a link" in form.text
        bad = await client.post("/volunteer/sign-in-link", data={"email": "rita", "csrf_token": csrf_of(form.text)})
        assert bad.status_code == 400 and "correct format" in bad.text and asked == []
        sent = await client.post(
            "/volunteer/sign-in-link", data={"email": "rita@example.org", "csrf_token": csrf_of(form.text)}
        )
        assert sent.status_code == 200 and "Check your email" in sent.text
        assert asked == [{"email": "rita@example.org"}]

        token = issue_token(SECRET, sub="web-rita", role="resident", ttl=timedelta(hours=1))
        follow = await client.get(f"/volunteer/me?token={token}")
        assert follow.status_code == 303 and follow.headers["location"] == "/volunteer/me"  # token dropped
        assert "Your volunteering" in (await client.get("/sign-in")).text  # signed in as the volunteer

    async for client in make_client(services):
        expired = issue_token(SECRET, sub="web-rita", role="resident", ttl=timedelta(minutes=-5))
        stale = await client.get(f"/volunteer/me?token={expired}")
        assert stale.status_code == 303 and stale.headers["location"] == "/volunteer/sign-in-link"
        assert "expired" in (await client.get("/volunteer/sign-in-link")).text
        staff = issue_token(SECRET, sub="web-rita", role="staff", hubs=["hub-a"])
        assert (await client.get(f"/volunteer/me?token={staff}")).headers["location"] == "/volunteer/sign-in-link"

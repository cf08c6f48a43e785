"""The web suite's helpers for page tests: the services behind an httpx MockTransport."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from asgi_lifespan import LifespanManager

from hub_testkit.plugin import ISSUER
from hub_testkit.tokens import TEST_JWKS
from hub_web.app import create_app
from hub_web.settings import WebSettings

SECRET = "test-secret-with-enough-length-0123456789"
# The web app under test: the session's issuer (hub_testkit.issuer) and the test kit's JWKS.
WEB_TEST_SETTINGS: dict = {"session_secret": SECRET, "auth_jwks": TEST_JWKS}
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
def make_client(infra) -> Callable[..., AsyncIterator[httpx.AsyncClient]]:
    """The web app with its services faked (``handler``), asking the session's real issuer for tokens."""

    async def make(handler=None, **settings) -> AsyncIterator[httpx.AsyncClient]:
        web_settings = WebSettings(**{**WEB_TEST_SETTINGS, "issuer_url": ISSUER["url"], **settings})
        app = create_app(web_settings, transport=fake_services(handler))
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://web.test") as client:
                yield client

    return make


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

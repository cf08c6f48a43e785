"""Fixtures for the issues service's API tests: the real app (with demo data) on the test MongoDB."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from hub_common.app import PROBLEM_JSON, create_app
from hub_common.auth import Role, issue_token
from hub_common.service import ServiceContext
from hub_issues.__main__ import DEFINITION
from hub_issues.service import reference_data
from hub_issues.settings import IssuesSettings
from hub_testkit.infra import discard_test_database

NORTHFIELD = "hub-northfield"
RIVERSIDE = "hub-riverside"
IN_NORTHFIELD = (53.815, -1.550)
IN_RIVERSIDE = (53.785, -1.550)
OUTSIDE = (51.5, -0.12)


@dataclass
class Api:
    client: httpx.AsyncClient
    settings: IssuesSettings
    ctx: ServiceContext

    def token(self, role: Role, sub: str | None = None, hubs: tuple[str, ...] = ()) -> str:
        return issue_token(self.settings.auth_secret.get_secret_value(), sub=sub or f"{role}-1", role=role, hubs=hubs)

    def auth(self, role: Role, sub: str | None = None, hubs: tuple[str, ...] = ()) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, sub, hubs)}"}

    def staff(self, hub: str = NORTHFIELD, sub: str = "staff-1") -> dict[str, str]:
        return self.auth("staff", sub, (hub,))

    async def outbox(self, event_type: str | None = None) -> list[dict[str, Any]]:
        query = {"type": event_type} if event_type else {}
        return await self.ctx.db["outbox"].find(query).sort([("created_at", 1), ("seq", 1)]).to_list()

    async def count(self, collection: str, **query: Any) -> int:
        return await self.ctx.db[collection].count_documents(query)

    async def report(self, *, headers: dict[str, str] | None = None, **fields: Any) -> httpx.Response:
        body = {
            "service_code": "litter",
            "description": "Bags of rubbish by the bus stop",
            "lat": IN_NORTHFIELD[0],
            "lon": IN_NORTHFIELD[1],
            **fields,
        }
        return await self.client.post(
            "/v1/issues", json=body, headers=self.auth("resident", "res-1") if headers is None else headers
        )


WIPED_EACH_TIME = ("issues", "outbox", "idempotency_keys", "assets", "inbox")


@pytest.fixture(scope="session")
async def issues_app(infra) -> AsyncIterator[tuple[httpx.AsyncClient, IssuesSettings, ServiceContext]]:
    """One app (indexes created once) for the whole session; each test starts from wiped collections."""
    settings = IssuesSettings(
        kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        mongo_uri=infra.mongo_uri,
        mongo_db=f"t_issues_api_{uuid.uuid4().hex[:10]}",
        consumer_group_override=f"t-issues-api-{uuid.uuid4().hex[:10]}",
        log_format="console",
        environment="test",
    )
    app = create_app(DEFINITION, settings)
    ctx: ServiceContext = app.state.ctx
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
        try:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
                yield client, settings, ctx
        finally:
            await discard_test_database(ctx.client, settings.mongo_db)


@pytest.fixture
async def api(issues_app) -> Api:
    """The app on a clean database holding just the demo hubs and catalogue."""
    client, settings, ctx = issues_app
    for name in WIPED_EACH_TIME:
        await ctx.db[name].delete_many({})
    # The demo hubs and catalogue are written again only when a test changed them (writes are the
    # slow part on a shared SecantusDB).
    if await _demo_snapshot(ctx) != _SEEDED.get("snapshot"):
        for name in ("hubs", "categories"):
            await ctx.db[name].delete_many({})
        await DEFINITION.seed_demo_data(ctx)
        _SEEDED["snapshot"] = await _demo_snapshot(ctx)
    reference_data(ctx).changed()  # the test wrote hubs and categories behind the service's back
    return Api(client, settings, ctx)


_SEEDED: dict[str, Any] = {}


async def _demo_snapshot(ctx: ServiceContext) -> list[dict[str, Any]]:
    return [
        *await ctx.db["hubs"].find({}).sort("_id", 1).to_list(),
        *await ctx.db["categories"].find({}).sort("_id", 1).to_list(),
    ]


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    if slug:
        assert body["type"] == f"urn:hub:problem:{slug}"
    return body


def fields_of(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors") or []}


def new_id() -> str:
    return uuid.uuid4().hex[:8]

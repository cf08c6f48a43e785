"""One way to run a service under test: its real app (real MongoDB and Kafka) behind an httpx client.

    async with running_service(DEFINITION, settings) as api:
        response = await api.client.post("/v1/shifts", json=body, headers=api.auth("staff", hubs=(hub,)))
        assert_problem(response, 403, "forbidden")

Each service's tests subclass :class:`ServiceApi` for the helpers only they need (builders of
their own resources), in ``services/<name>/tests/<name>_testkit.py``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any, Generic, Self, TypeVar

import httpx
from asgi_lifespan import LifespanManager

from hub_common.app import PROBLEM_JSON, create_app
from hub_common.auth import Role
from hub_common.service import ServiceContext, ServiceDefinition
from hub_common.settings import HubSettings
from hub_testkit.infra import discard_test_database
from hub_testkit.outbox import outbox_events
from hub_testkit.tokens import issue_token

S = TypeVar("S", bound=HubSettings)


class ServiceApi(Generic[S]):
    """A service's app under test: ``client`` (httpx over ASGI), its ``settings`` and ``ctx``."""

    def __init__(self, client: httpx.AsyncClient, settings: S, ctx: ServiceContext[S]) -> None:
        self.client = client
        self.settings = settings
        self.ctx = ctx
        self.db = ctx.db

    @property
    def use_cases(self) -> Any:
        """The use-case objects the service's composition root built for this app."""
        return self.ctx.components.use_cases

    def token(self, role: Role, sub: str | None = None, hubs: tuple[str, ...] = ()) -> str:
        return issue_token(
            sub=sub or f"{role}-{uuid.uuid4().hex[:6]}",
            role=role,
            hubs=hubs,
        )

    def auth(self, role: Role, sub: str | None = None, hubs: tuple[str, ...] = ()) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, sub, hubs)}"}

    async def outbox(self, event_type: str | None = None, *, subject: str | None = None, **data: Any) -> list[dict]:
        """Events the service wrote to its outbox, oldest first (``data`` filters on event fields)."""
        query: dict[str, Any] = {f"data.{k}": v for k, v in data.items()}
        if event_type:
            query["type"] = event_type
        if subject:
            query["subject"] = subject
        return await outbox_events(self.db, query)

    async def count(self, collection: str, **query: Any) -> int:
        return await self.db[collection].count_documents(query)

    @classmethod
    @contextlib.asynccontextmanager
    async def running(
        cls, definition: ServiceDefinition[S], settings: S, *, base_url: str = "http://hub.test", drop: bool = True
    ) -> AsyncIterator[Self]:
        """The service's app started (indexes, demo data if its settings ask) for the block."""
        app = create_app(definition, settings)
        ctx: ServiceContext[S] = app.state.ctx
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
            try:
                transport = httpx.ASGITransport(app=manager.app)
                async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
                    yield cls(client, settings, ctx)
            finally:
                if drop:
                    await discard_test_database(ctx.client, settings.mongo_db)


def running_service(definition: ServiceDefinition[S], settings: S, **options: Any):
    """:meth:`ServiceApi.running` for suites that need no helpers of their own."""
    return ServiceApi.running(definition, settings, **options)


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem response with this status (and ``urn:hub:problem:<slug>``); its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    if slug:
        assert body["type"] == f"urn:hub:problem:{slug}"
    return body


def fields_of(problem: dict[str, Any]) -> set[str]:
    """The fields a 422 problem names."""
    return {e["field"] for e in problem.get("errors") or []}

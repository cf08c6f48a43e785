"""The assets suite's fixtures and builders: the real app (real MongoDB) with tokens for each role."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub_assets.__main__ import DEFINITION
from hub_assets.service import UseCases
from hub_assets.settings import AssetsSettings
from hub_common.auth import Role
from hub_common.clock import Clock
from hub_common.service import ServiceContext
from hub_testkit.service_api import ServiceApi, assert_problem

__all__ = ["NORTH", "RIVER", "Api", "api", "assert_problem", "next_weekday_at", "room_body", "winning_indexes"]

NORTH, RIVER = "hub-northfield", "hub-riverside"


class Api(ServiceApi[AssetsSettings]):
    """The assets app under test. Tokens default to ``<role>-1`` of Northfield, as the tests expect."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._contexts: list[ServiceContext[AssetsSettings]] = []

    def auth(self, role: Role, sub: str | None = None, hubs: tuple[str, ...] = (NORTH,)) -> dict[str, str]:
        return super().auth(role, sub or f"{role}-1", hubs)

    @property
    def staff(self) -> dict[str, str]:
        return self.auth("staff")

    def at(self, clock: Clock) -> UseCases:
        """The service's use cases on the same database, as if it were the time ``clock`` says."""
        ctx = ServiceContext(DEFINITION, self.settings, clock=clock)
        self._contexts.append(ctx)
        return ctx.components.use_cases

    async def aclose(self) -> None:
        for ctx in self._contexts:
            await ctx.close()

    async def events(self, event_type: str | None = None, subject: str | None = None) -> list[dict[str, Any]]:
        return await self.outbox(event_type, subject=subject)

    async def create(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = await self.client.post("/v1/assets", json=body, headers=headers or self.staff)
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
async def api(make_settings) -> AsyncIterator[Api]:
    settings = make_settings(AssetsSettings)
    async with (
        Api.running(DEFINITION, settings, base_url="http://assets.test") as running,
        contextlib.aclosing(running),
    ):
        yield running


def room_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "room",
        "hub_id": NORTH,
        "name": "Meeting Room 1",
        "location": {"lat": 53.815, "lon": -1.55},
        "opening_hours": [{"weekday": d, "opens": "08:00", "closes": "22:00"} for d in range(7)],
        "room": {"capacity": 12, "accessibility": ["step-free"], "facilities": ["wifi"]},
    }
    body.update(overrides)
    return body


def next_weekday_at(hour: int, days_ahead: int = 3) -> datetime:
    """A slot start ``days_ahead`` days from now at ``hour``:00 UK time (inside the test rooms' hours)."""
    local = datetime.now(ZoneInfo("Europe/London")) + timedelta(days=days_ahead)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(UTC)


def winning_indexes(explain: dict[str, Any]) -> list[str]:
    """Index names the winning plan scans; an empty list means a collection scan."""
    names: list[str] = []
    stage = explain["queryPlanner"]["winningPlan"]
    while stage:
        if stage["stage"] == "COLLSCAN":
            return []
        if stage["stage"] == "IXSCAN":
            names.append(stage["indexName"])
        stage = stage.get("inputStage")
    return names

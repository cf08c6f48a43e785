"""Helpers shared by the assets tests (imported by name: conftest puts this folder on sys.path)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from hub_assets.service import AssetsService
from hub_common.app import PROBLEM_JSON
from hub_common.auth import Role, issue_token
from hub_common.service import ServiceContext
from hub_common.settings import HubSettings
from hub_common.uow import OUTBOX

NORTH, RIVER = "hub-northfield", "hub-riverside"


@dataclass
class Api:
    client: httpx.AsyncClient
    settings: HubSettings
    ctx: ServiceContext

    def auth(self, role: Role, sub: str | None = None, hubs: tuple[str, ...] = (NORTH,)) -> dict[str, str]:
        token = issue_token(self.settings.auth_secret.get_secret_value(), sub=sub or f"{role}-1", role=role, hubs=hubs)
        return {"Authorization": f"Bearer {token}"}

    @property
    def staff(self) -> dict[str, str]:
        return self.auth("staff")

    def service(self, clock=None) -> AssetsService:
        return AssetsService(self.ctx.db, self.ctx.uow, clock=clock)

    async def events(self, event_type: str | None = None, subject: str | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {}
        if event_type:
            query["type"] = event_type
        if subject:
            query["subject"] = subject
        return await self.ctx.db[OUTBOX].find(query).sort([("created_at", 1), ("seq", 1)]).to_list()

    async def create(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = await self.client.post("/v1/assets", json=body, headers=headers or self.staff)
        assert response.status_code == 201, response.text
        return response.json()


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    if slug:
        assert body["type"] == f"urn:hub:problem:{slug}"
    return body


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

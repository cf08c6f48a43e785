"""Fixtures for the issues service's API tests: the real app (with demo data) on the test MongoDB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from hub_common.auth import Role
from hub_common.envelope import Envelope
from hub_issues.__main__ import DEFINITION
from hub_issues.settings import IssuesSettings
from hub_testkit.plugin import test_settings
from hub_testkit.service_api import ServiceApi

NORTHFIELD = "hub-northfield"
RIVERSIDE = "hub-riverside"
IN_NORTHFIELD = (53.815, -1.550)
IN_RIVERSIDE = (53.785, -1.550)
OUTSIDE = (51.5, -0.12)


class IssuesApi(ServiceApi[IssuesSettings]):
    def token(self, role: Role, sub: str | None = None, hubs: tuple[str, ...] = ()) -> str:
        return super().token(role, sub or f"{role}-1", hubs)

    def staff(self, hub: str = NORTHFIELD, sub: str = "staff-1") -> dict[str, str]:
        return self.auth("staff", sub, (hub,))

    async def upload(
        self, *files: bytes, headers: dict[str, str] | None = None, names: tuple[str, ...] = ()
    ) -> httpx.Response:
        """``POST /v1/photos`` with these files in the ``photos`` field (as resident res-1 by default)."""
        parts = [
            ("photos", (names[i] if i < len(names) else f"photo-{i}.jpg", data, "image/jpeg"))
            for i, data in enumerate(files)
        ]
        return await self.client.post(
            "/v1/photos", files=parts, headers=self.auth("resident", "res-1") if headers is None else headers
        )

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


async def deliver(api: ServiceApi, event: Envelope) -> None:
    """Hand an event to the service's consumer handler in a unit of work, as its consumer would."""
    handler = api.ctx.components.handlers[event.type]

    async def work(tx) -> None:
        await handler(event, tx)

    await api.ctx.uow.run(work)


WIPED_EACH_TIME = (
    "issues",
    "outbox",
    "idempotency_keys",
    "assets",
    "forum_actions",
    "funded_projects",
    "ideas_done",
    "inbox",
    "photos.files",
    "photos.chunks",
)
PHOTO_MAX_BYTES = 2_000_000  # lower than the default, so the oversize uploads stay small


@pytest.fixture(scope="session")
async def issues_app(infra) -> AsyncIterator[IssuesApi]:
    """One app (indexes created once) for the whole session; each test starts from wiped collections."""
    settings = test_settings(infra, IssuesSettings, photo_max_bytes=PHOTO_MAX_BYTES)
    async with IssuesApi.running(DEFINITION, settings) as app:
        yield app


@pytest.fixture
async def api(issues_app: IssuesApi) -> IssuesApi:
    """The app on a clean database holding just the demo hubs and catalogue."""
    db = issues_app.db
    for name in WIPED_EACH_TIME:
        await db[name].delete_many({})
    # The demo hubs and catalogue are written again only when a test changed them (writes are the
    # slow part on a shared SecantusDB).
    if await _demo_snapshot(issues_app) != _SEEDED.get("snapshot"):
        for name in ("hubs", "categories"):
            await db[name].delete_many({})
        await DEFINITION.seed_demo_data(issues_app.ctx)
        _SEEDED["snapshot"] = await _demo_snapshot(issues_app)
    issues_app.use_cases.hubs.reference.changed()  # the test wrote hubs and categories behind the service's back
    return issues_app


_SEEDED: dict[str, Any] = {}


async def _demo_snapshot(api: IssuesApi) -> list[dict[str, Any]]:
    return [
        *await api.db["hubs"].find({}).sort("_id", 1).to_list(),
        *await api.db["categories"].find({}).sort("_id", 1).to_list(),
    ]

"""Shared helpers of the volunteers tests (importable by name: pytest's ``pythonpath`` has this folder):
the service under test (``Api``), a per-test hub ("World") with builders, API replicas, and domain factories."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from hub_common.repository import to_document
from hub_testkit.service_api import ServiceApi
from hub_volunteers.__main__ import DEFINITION
from hub_volunteers.domain.roles import Role, SkillNeed
from hub_volunteers.domain.shifts import Shift
from hub_volunteers.domain.volunteers import BackgroundCheck, Volunteer
from hub_volunteers.service import UseCases
from hub_volunteers.settings import VolunteersSettings

CONSENT = {"data_processing": True, "channels": {"email": True, "sms": False}, "wording_version": "2026-01"}


class Api(ServiceApi[VolunteersSettings]):
    """The volunteers app under test; ``use_cases`` are the ones its bootstrap built."""

    @property
    def use_cases(self) -> UseCases:
        return self.ctx.components.use_cases


class World:
    """A fresh hub per test with a staff member, and helpers to build roles, shifts and volunteers."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.hub = f"hub-{uuid.uuid4().hex[:8]}"
        self.staff = api.auth("staff", hubs=(self.hub,))

    def registration(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": "Ada Lovelace",
            "email": f"ada-{uuid.uuid4().hex[:8]}@example.org",
            "phone": "+44 7700 900123",
            "hub_id": self.hub,
            "date_of_birth": "1990-05-01",
            "interests": ["Food", "gardening"],
            "availability": [{"day": "tue", "start": "18:00", "end": "21:00"}],
            "consent": CONSENT,
            "emergency_contact": {"name": "Byron", "phone": "+44 7700 900999", "relationship": "parent"},
        }
        body.update(overrides)
        return body

    async def register(self, **overrides: Any) -> tuple[dict[str, Any], dict[str, str]]:
        """A resident registers; returns their record and auth headers."""
        headers = self.api.auth("resident")
        response = await self.api.client.post("/v1/volunteers", json=self.registration(**overrides), headers=headers)
        assert response.status_code == 201, response.text
        return response.json(), headers

    async def active_volunteer(self, **overrides: Any) -> tuple[dict[str, Any], dict[str, str]]:
        volunteer, headers = await self.register(**overrides)
        vid = volunteer["id"]
        check = {
            "level": "enhanced",
            "certificate_ref": "DBS-1",
            "issued_on": "2026-01-01",
            "renewal_due": "2029-01-01",
        }
        assert (
            await self.api.client.post(f"/v1/volunteers/{vid}/checks", json=check, headers=self.staff)
        ).status_code == 201
        for to in ("approved", "active"):
            r = await self.api.client.post(f"/v1/volunteers/{vid}/status", json={"to": to}, headers=self.staff)
            assert r.status_code == 200, r.text
        return r.json(), headers

    async def many_active_volunteers(self, n: int) -> list[str]:
        """``n`` active adult volunteers with an enhanced check, stored directly (fast set-up for load tests)."""
        at = datetime.now(UTC)
        docs = []
        for i in range(n):
            v = Volunteer(
                id=f"vol_{uuid.uuid4().hex[:16]}",
                sub=f"bulk-{uuid.uuid4().hex[:8]}-{i}",
                hub_id=self.hub,
                status="active",
                name=f"Volunteer {i}",
                email=f"bulk-{uuid.uuid4().hex[:8]}@example.org",
                date_of_birth=date(1990, 1, 1),
                checks=[
                    BackgroundCheck(
                        id=f"chk-{i}",
                        level="enhanced",
                        certificate_ref="DBS",
                        issued_on=date(2026, 1, 1),
                        renewal_due=date(2029, 1, 1),
                        recorded_at=at,
                        recorded_by="test",
                    )
                ],
                created_at=at,
                updated_at=at,
            )
            docs.append(to_document(v))
        await self.api.db["volunteers"].insert_many(docs)
        return [d["_id"] for d in docs]

    def role_body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "hub_id": self.hub,
            "title": "Food bank helper",
            "purpose": "Sort and hand out food parcels",
            "tasks": ["sort donations", "pack parcels"],
            "time_commitment": "3 hours, once a week",
            "skills_needed": [],
            "checks_needed": "none",
            "training_given": "Food hygiene induction on your first shift",
            "support_contact": "Volunteer coordinator at the hub desk",
            "accessibility": "Step-free access; seated tasks available",
            "open_to_under_18": True,
        }
        body.update(overrides)
        return body

    async def published_role(self, **overrides: Any) -> dict[str, Any]:
        r = await self.api.client.post("/v1/roles", json=self.role_body(**overrides), headers=self.staff)
        assert r.status_code == 201, r.text
        r = await self.api.client.post(f"/v1/roles/{r.json()['id']}/publish", headers=self.staff)
        assert r.status_code == 200, r.text
        return r.json()

    async def shift(self, capacity: int = 5, *, in_days: int = 3, **role_overrides: Any) -> dict[str, Any]:
        role = await self.published_role(**role_overrides)
        start = datetime.now(UTC) + timedelta(days=in_days)
        body = {
            "role_id": role["id"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
            "address": "Northfield Community Hub, 1 High Street",
            "capacity": capacity,
        }
        r = await self.api.client.post("/v1/shifts", json=body, headers=self.staff)
        assert r.status_code == 201, r.text
        return r.json()

    async def outbox(self, event_type: str, **data: Any) -> list[dict[str, Any]]:
        return await self.api.outbox(event_type, **data)


@contextlib.asynccontextmanager
async def replicas(api: Api, n: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``n`` API replicas (separate app instances, as separate processes would be) on the same database."""
    async with contextlib.AsyncExitStack() as stack:
        clients = [api.client]
        for _ in range(n - 1):
            replica = await stack.enter_async_context(Api.running(DEFINITION, api.settings, drop=False))
            clients.append(replica.client)
        yield clients


# --- domain factories (unit tests) ---------------------------------------------------------------

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


def volunteer(**overrides: Any) -> Volunteer:
    values: dict[str, Any] = {
        "id": "vol_1",
        "sub": "user-1",
        "hub_id": "hub-northfield",
        "status": "active",
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "date_of_birth": date(1990, 5, 1),
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(overrides)
    return Volunteer(**values)


def check(level: str = "basic", issued: date = date(2026, 1, 1), due: date = date(2029, 1, 1)) -> BackgroundCheck:
    return BackgroundCheck(
        id=f"chk_{level}",
        level=level,
        certificate_ref="C-1",
        issued_on=issued,
        renewal_due=due,
        recorded_at=NOW,
        recorded_by="s",
    )


def role(**overrides: Any) -> Role:
    values: dict[str, Any] = {
        "id": "role_1",
        "hub_id": "hub-northfield",
        "title": "Food bank helper",
        "status": "published",
        "purpose": "Sort and hand out food parcels",
        "tasks": ["sort donations", "pack parcels"],
        "time_commitment": "3 hours a week",
        "skills_needed": [],
        "checks_needed": "none",
        "training_given": "Food hygiene induction",
        "support_contact": "Volunteer coordinator",
        "accessibility": "Step-free access",
        "open_to_under_18": True,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(overrides)
    if values.get("skills_needed"):
        values["skills_needed"] = [s if isinstance(s, SkillNeed) else SkillNeed(**s) for s in values["skills_needed"]]
    return Role(**values)


def shift(**overrides: Any) -> Shift:
    values: dict[str, Any] = {
        "id": "shift_1",
        "hub_id": "hub-northfield",
        "role_id": "role_1",
        "starts_at": NOW + timedelta(days=2),
        "ends_at": NOW + timedelta(days=2, hours=3),
        "address": "1 High Street",
        "capacity": 5,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(overrides)
    return Shift(**values)

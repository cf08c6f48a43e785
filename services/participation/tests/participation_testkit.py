"""The participation suite's fixtures and builders: the real app on the test MongoDB, tokens per role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from hub_common.auth import Principal
from hub_participation.__main__ import DEFINITION
from hub_participation.domain.meeting import Meeting, Place
from hub_participation.domain.pb_round import Round
from hub_participation.service import UseCases
from hub_participation.service.meetings import ScheduleRequest
from hub_participation.service.pb_proposals import Review, Submission
from hub_participation.service.pb_rounds import RoundDraft
from hub_participation.settings import ParticipationSettings
from hub_testkit.plugin import test_settings
from hub_testkit.service_api import ServiceApi, assert_problem

__all__ = [
    "NORTH",
    "RIVER",
    "ParticipationApi",
    "api",
    "assert_problem",
    "idea_body",
    "meeting_body",
    "online_forum",
    "participation_app",
    "round_in_voting",
]

NORTH, RIVER = "hub-northfield", "hub-riverside"
WIPED_EACH_TIME = (
    "ideas",
    "idea_settings",
    "meetings",
    "surveys",
    "survey_answers",
    "satisfaction",
    "open_issues",
    "pb_rounds",
    "pb_proposals",
    "pb_ballots",
    "panel",
    "outbox",
    "idempotency_keys",
    "inbox",
    "access_audit",
    "partner_messages",
    "partner_grants",
    "resident_sign_in_links",
)


class ParticipationApi(ServiceApi[ParticipationSettings]):
    def staff(self, hub: str = NORTH, sub: str = "staff-1") -> dict[str, str]:
        return self.auth("staff", sub, (hub,))

    def resident(self, sub: str = "res-1") -> dict[str, str]:
        return self.auth("resident", sub, ())

    def councillor(self, hub: str = NORTH, sub: str = "cllr-1") -> dict[str, str]:
        """A ward councillor representing ``hub``."""
        return self.auth("councillor", sub, (hub,))

    async def comment(
        self,
        idea_id: str,
        comment: str = "I will raise this at the ward meeting.",
        *,
        name: str = "Cathy Moss",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/ideas/{idea_id}/councillor-comments",
            json={"comment": comment, "display_name": name},
            headers=headers if headers is not None else self.councillor(),
        )

    async def open_hub(self, hub: str = NORTH, threshold: int | None = None) -> None:
        response = await self.client.put(
            f"/v1/hubs/{hub}/idea-settings", json={"support_threshold": threshold}, headers=self.staff(hub)
        )
        assert response.status_code == 200, response.text

    async def propose(self, *, by: str = "res-1", **fields: Any) -> dict[str, Any]:
        response = await self.client.post("/v1/ideas", json=idea_body(**fields), headers=self.resident(by))
        assert response.status_code == 201, response.text
        return response.json()

    async def support(self, idea_id: str, by: str, **body: Any) -> httpx.Response:
        return await self.client.post(f"/v1/ideas/{idea_id}/supports", json=body, headers=self.resident(by))

    async def schedule(self, hub: str = NORTH, **fields: Any) -> dict[str, Any]:
        response = await self.client.post("/v1/meetings", json=meeting_body(hub, **fields), headers=self.staff(hub))
        assert response.status_code == 201, response.text
        return response.json()

    async def register(self, meeting_id: str, by: str, **body: Any) -> httpx.Response:
        return await self.client.post(f"/v1/meetings/{meeting_id}/registration", json=body, headers=self.resident(by))

    async def meeting(self, meeting_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/v1/meetings/{meeting_id}")
        assert response.status_code == 200, response.text
        return response.json()

    async def took_place(self, meeting_id: str) -> None:
        """Move a meeting into the past, as if it had been held (minutes come after the start)."""
        past = datetime.now(UTC) - timedelta(days=1)
        await self.db["meetings"].update_one(
            {"_id": meeting_id}, {"$set": {"starts_at": past, "ends_at": past + timedelta(hours=2)}}
        )

    async def idea(self, idea_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/v1/ideas/{idea_id}")
        assert response.status_code == 200, response.text
        return response.json()


def idea_body(**overrides: Any) -> dict[str, Any]:
    return {
        "hub_id": NORTH,
        "title": "Plant fruit trees on Green Lane",
        "description": "Apple trees along the verge, looked after by neighbours.",
        "category": "green spaces",
        **overrides,
    }


def meeting_body(hub: str = NORTH, **overrides: Any) -> dict[str, Any]:
    starts = (datetime.now(UTC) + timedelta(days=7)).replace(hour=18, minute=30, second=0, microsecond=0)
    return {
        "hub_id": hub,
        "title": "Northfield residents' forum",
        "description": "Your ideas, the hub's plans and questions to the council.",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "place": {"kind": "room", "room_id": "room-main-hall", "name": "Main Hall, 1 Green Lane"},
        "capacity": 30,
        "waitlist": True,
        **overrides,
    }


async def round_in_voting(use_cases: UseCases, hub: str, unique: str) -> tuple[Round, list[str]]:
    """Through the use cases (for tests that run the service's worker): a £10,000 allocation round in
    voting in ``hub`` with four eligible projects (£3,000, £5,000, £2,000, £1,000), and their ids."""
    staff = Principal(sub=f"staff-{unique}", role="staff", hubs=(hub,))
    await use_cases.hubs.open_missing([hub])
    draft = RoundDraft(
        hub_id=hub,
        title=f"Our £10,000 {unique}",
        description="Tell us how to spend £10,000 on the estate.",
        budget=1_000_000,
        method="allocation",
        voting_closes_at=datetime.now(UTC) + timedelta(days=14),
    )
    budget_round = await use_cases.pb_rounds.create(staff, draft)
    await use_cases.pb_rounds.advance(staff, budget_round.id, "proposals", None)
    projects = []
    for n, (title, cost) in enumerate(
        (("Planters", 300_000), ("A pitch", 500_000), ("Benches", 200_000), ("Art", 100_000))
    ):
        resident = Principal(sub=f"res-{n}-{unique}", role="resident")
        proposal = await use_cases.pb_proposals.submit(
            resident, budget_round.id, Submission(title=title, description=f"{title} for all.", estimated_cost=cost)
        )
        await use_cases.pb_proposals.review(staff, proposal.id, Review(eligible=True), None)
        projects.append(proposal.id)
    await use_cases.pb_rounds.advance(staff, budget_round.id, "review", None)
    voting = await use_cases.pb_rounds.advance(staff, budget_round.id, "voting", None)
    return voting, projects


async def online_forum(use_cases: UseCases, hub: str, unique: str, *, places: int, waitlist: bool = True) -> Meeting:
    """Through the use cases: an online forum in a week's time in ``hub`` with ``places`` places."""
    staff = Principal(sub=f"staff-{unique}", role="staff", hubs=(hub,))
    await use_cases.hubs.open_missing([hub])
    starts = datetime.now(UTC) + timedelta(days=7)
    return await use_cases.meetings.schedule(
        staff,
        ScheduleRequest(
            hub_id=hub,
            title=f"Residents' forum {unique}",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place=Place(kind="online", name="Online", online_url="https://meet.example.org/forum"),
            capacity=places,
            waitlist=waitlist,
        ),
    )


@pytest.fixture(scope="session")
async def participation_app(infra) -> AsyncIterator[ParticipationApi]:
    """One app (indexes created once) for the whole session; each test starts from wiped collections."""
    settings = test_settings(infra, ParticipationSettings)
    async with ParticipationApi.running(DEFINITION, settings, base_url="http://participation.test") as app:
        yield app


@pytest.fixture
async def api(participation_app: ParticipationApi) -> ParticipationApi:
    """The app on a clean database with Northfield and Riverside open for ideas (threshold 10)."""
    for name in WIPED_EACH_TIME:
        await participation_app.db[name].delete_many({})
    for hub in (NORTH, RIVER):
        await participation_app.open_hub(hub)
    return participation_app

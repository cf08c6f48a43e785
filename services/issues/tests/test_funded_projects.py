"""Participatory budgeting projects delivered, from the participation service's events, in "You Said,
We Did" beside the fixed problems: newest first, per hub, paged, a replay harmless, no person in it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from issues_testkit import NORTHFIELD, deliver

from hub_common.contracts.participation import PbProjectDelivered
from hub_common.envelope import Envelope

T0 = datetime(2026, 9, 1, 9, tzinfo=UTC)


def delivered(proposal_id: str, title: str, at: datetime, hub_id: str = NORTHFIELD) -> Envelope:
    data = PbProjectDelivered(
        round_id="pb-1",
        hub_id=hub_id,
        proposal_id=proposal_id,
        round_title="Northfield's £10,000",
        title=title,
        cost=150_000,
        votes=41,
        note=f"Done: {title.lower()}.",
        delivered_at=at,
    )
    return Envelope(
        id=str(uuid.uuid4()), source="/hub/participation", type=data.event_type, time=at, subject="pb-1", data=data
    )


async def test_delivered_projects_show_newest_first_beside_the_fixed_problems(api) -> None:
    first = delivered("pbp-1", "Planters on the square", T0)
    await deliver(api, first)
    await deliver(api, first)  # a replay changes nothing
    await deliver(api, delivered("pbp-2", "A table tennis table", T0 + timedelta(days=1)))
    await deliver(api, delivered("pbp-3", "Elsewhere", T0, hub_id="hub-riverside"))

    feed = f"/v1/hubs/{NORTHFIELD}/you-said-we-did/funded-projects"
    page = await api.client.get(feed, params={"limit": 1})
    assert page.status_code == 200, page.text
    [latest] = page.json()["items"]
    assert latest == {
        "id": "pbp-2",
        "round_id": "pb-1",
        "you_said": "Northfield's £10,000",
        "project": "A table tennis table",
        "cost": 150_000,
        "votes": 41,
        "we_did": "Done: a table tennis table.",
        "done_at": "2026-09-02T09:00:00Z",
    }
    rest = await api.client.get(feed, params={"cursor": page.json()["next_cursor"]})
    assert [p["id"] for p in rest.json()["items"]] == ["pbp-1"] and rest.json()["next_cursor"] is None
    assert await api.count("funded_projects") == 3

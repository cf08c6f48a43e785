"""What residents asked for through the participation service and the hub did, from its events, in
"You Said, We Did" beside the fixed problems: forum actions done, funded projects delivered, ideas
taken forward and finished. Each log is newest first, per hub, paged, a replay harmless, no person in it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from issues_testkit import NORTHFIELD, deliver

from hub_common.contracts.participation import ActionProgressPublished, ForumActionCompleted, PbProjectDelivered
from hub_common.contracts.registry import EventData
from hub_common.envelope import Envelope

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)
RIVERSIDE = "hub-riverside"


def event(data: EventData, at: datetime, subject: str) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()), source="/hub/participation", type=data.event_type, time=at, subject=subject, data=data
    )


async def two_pages(api, feed: str) -> tuple[dict, list[str], str]:
    """The latest item alone, the ids on the page after it (the last page), and both pages' text."""
    page = await api.client.get(feed, params={"limit": 1})
    assert page.status_code == 200, page.text
    [latest] = page.json()["items"]
    rest = await api.client.get(feed, params={"cursor": page.json()["next_cursor"]})
    assert rest.status_code == 200 and rest.json()["next_cursor"] is None, rest.text
    return latest, [i["id"] for i in rest.json()["items"]], page.text + rest.text


def completed(action_id: str, title: str, at: datetime, hub_id: str = NORTHFIELD) -> Envelope:
    data = ForumActionCompleted(
        meeting_id="meeting-1",
        hub_id=hub_id,
        action_id=action_id,
        meeting_title="Northfield residents' forum",
        title=title,
        owner="Parks team",
        due_on=date(2026, 7, 1),
        note=f"Done: {title.lower()}.",
        completed_by="staff-secret-id",
        completed_at=at,
    )
    return event(data, at, "meeting-1")


async def test_completed_forum_actions_show_newest_first_beside_the_fixed_problems(api) -> None:
    first = completed("action-1", "Add two benches", T0)
    await deliver(api, first)
    await deliver(api, first)  # a replay changes nothing
    await deliver(api, completed("action-2", "Fix the shelter light", T0 + timedelta(days=1)))
    await deliver(api, completed("action-3", "Elsewhere", T0, hub_id=RIVERSIDE))

    latest, rest, text = await two_pages(api, f"/v1/hubs/{NORTHFIELD}/you-said-we-did/forum-actions")
    assert latest == {
        "id": "action-2",
        "meeting_id": "meeting-1",
        "you_said": "Northfield residents' forum",
        "action": "Fix the shelter light",
        "owner": "Parks team",
        "due_on": "2026-07-01",
        "we_did": "Done: fix the shelter light.",
        "done_at": "2026-06-02T09:00:00Z",
    }
    assert rest == ["action-1"]
    assert "staff-secret-id" not in text
    assert await api.count("forum_actions") == 3
    fixed = await api.client.get(f"/v1/hubs/{NORTHFIELD}/you-said-we-did")
    assert fixed.status_code == 200  # the fixed problems' log is unchanged beside it


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
    return event(data, at, "pb-1")


async def test_delivered_projects_show_newest_first_beside_the_fixed_problems(api) -> None:
    first = delivered("pbp-1", "Planters on the square", T0)
    await deliver(api, first)
    await deliver(api, first)  # a replay changes nothing
    await deliver(api, delivered("pbp-2", "A table tennis table", T0 + timedelta(days=1)))
    await deliver(api, delivered("pbp-3", "Elsewhere", T0, hub_id=RIVERSIDE))

    latest, rest, _ = await two_pages(api, f"/v1/hubs/{NORTHFIELD}/you-said-we-did/funded-projects")
    assert latest == {
        "id": "pbp-2",
        "round_id": "pb-1",
        "you_said": "Northfield's £10,000",
        "project": "A table tennis table",
        "cost": 150_000,
        "votes": 41,
        "we_did": "Done: a table tennis table.",
        "done_at": "2026-06-02T09:00:00Z",
    }
    assert rest == ["pbp-1"]
    assert await api.count("funded_projects") == 3


def progress(
    idea_id: str, note: str, at: datetime, *, done: bool, hub_id: str = NORTHFIELD, support: int | None = 12
) -> Envelope:
    data = ActionProgressPublished(
        idea_id=idea_id,
        hub_id=hub_id,
        title=f"Idea {idea_id}",
        note=note,
        done=done,
        support_count=support,
        published_by="staff-secret-id",
        published_at=at,
    )
    return event(data, at, idea_id)


async def test_ideas_enter_the_log_when_their_action_is_done_not_before(api) -> None:
    await deliver(api, progress("idea-1", "Quotes are in.", T0, done=False))
    feed = f"/v1/hubs/{NORTHFIELD}/you-said-we-did/ideas"
    assert (await api.client.get(feed)).json()["items"] == []  # progress on the way is not "we did"

    finished = progress("idea-1", "The community fridge is open.", T0 + timedelta(days=3), done=True)
    await deliver(api, finished)
    await deliver(api, finished)  # a replay changes nothing
    # An event from before the count was sent still shows, with the count unknown.
    await deliver(api, progress("idea-2", "Bulb planting done.", T0 + timedelta(days=5), done=True, support=None))
    await deliver(api, progress("idea-3", "Elsewhere.", T0, done=True, hub_id=RIVERSIDE))

    latest, rest, text = await two_pages(api, feed)
    assert latest == {
        "id": "idea-2",
        "you_said": "Idea idea-2",
        "support_count": None,
        "we_did": "Bulb planting done.",
        "done_at": "2026-06-06T09:00:00Z",
    }
    assert rest == ["idea-1"]
    assert "staff-secret-id" not in text
    assert await api.count("ideas_done") == 3

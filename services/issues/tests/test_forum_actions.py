"""Forum actions done, from the participation service's events, in "You Said, We Did" beside the
fixed problems: newest first, per hub, paged, a replay harmless, no person in it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from issues_testkit import NORTHFIELD, deliver

from hub_common.contracts.participation import ForumActionCompleted
from hub_common.envelope import Envelope

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


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
    return Envelope(
        id=str(uuid.uuid4()), source="/hub/participation", type=data.event_type, time=at, subject="meeting-1", data=data
    )


async def test_completed_forum_actions_show_newest_first_beside_the_fixed_problems(api) -> None:
    first = completed("action-1", "Add two benches", T0)
    await deliver(api, first)
    await deliver(api, first)  # a replay changes nothing
    await deliver(api, completed("action-2", "Fix the shelter light", T0 + timedelta(days=1)))
    await deliver(api, completed("action-3", "Elsewhere", T0, hub_id="hub-riverside"))

    page = await api.client.get(f"/v1/hubs/{NORTHFIELD}/you-said-we-did/forum-actions", params={"limit": 1})
    assert page.status_code == 200, page.text
    [latest] = page.json()["items"]
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
    rest = await api.client.get(
        f"/v1/hubs/{NORTHFIELD}/you-said-we-did/forum-actions", params={"cursor": page.json()["next_cursor"]}
    )
    assert [a["id"] for a in rest.json()["items"]] == ["action-1"] and rest.json()["next_cursor"] is None
    assert "staff-secret-id" not in page.text + rest.text
    assert await api.count("forum_actions") == 3
    fixed = await api.client.get(f"/v1/hubs/{NORTHFIELD}/you-said-we-did")
    assert fixed.status_code == 200  # the fixed problems' log is unchanged beside it

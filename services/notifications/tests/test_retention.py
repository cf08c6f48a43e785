"""The retention schedule: what messages said is removed after its period, their record stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notifications_testkit import message_document

from hub_common.http import PageQuery
from hub_common.retention import RETENTION_RUNS
from hub_notifications.__main__ import DEFINITION
from hub_notifications.adapters.messages import CONTENT_BY_AGE, MESSAGES, content_held
from hub_notifications.api.schemas import InboxItem

MESSAGE_RULES = ("email and text message content", "in-app message content")
SAID = {"subject": "Your report", "body": "Thanks, Priya: bags by 4 Elm Row", "values": {"name": "Priya"}}


def aged(message_id: str, days: float, channel: str, status: str = "delivered", **fields) -> dict:
    created = datetime.now(UTC) - timedelta(days=days)
    history = [{"status": "created", "at": created}, {"status": status, "at": created}]
    return message_document(
        message_id, channel=channel, status=status, created_at=created, history=history, **SAID, **fields
    )


async def test_content_goes_after_its_period_and_the_record_of_the_message_stays(service_context) -> None:
    ctx = await service_context(DEFINITION, message_content_retention_days=7, inbox_retention_days=90)
    await ctx.db[MESSAGES].insert_many(
        [
            aged("old-email", 8, "email"),
            aged("old-sms", 30, "sms", status="permanent_failure"),
            aged("old-email-still-retrying", 8, "email", status="temporary_failure"),
            aged("recent-email", 6, "email"),
            aged("inapp-within-its-period", 30, "inapp"),
            aged("old-inapp", 91, "inapp"),
        ]
    )
    [retention] = [task for task in ctx.components.periodic if task.name == "retention"]

    removed = await retention.run()

    assert {kind: removed[kind] for kind in MESSAGE_RULES} == {
        "email and text message content": 2,
        "in-app message content": 1,
    }
    docs = {doc["_id"]: doc async for doc in ctx.db[MESSAGES].find()}
    for gone in ("old-email", "old-sms", "old-inapp"):
        assert not {"subject", "body", "values"} & set(docs[gone]), gone
        assert docs[gone]["content_removed_at"] is not None
        # What it was, to whom, when and how it went: the record that it was sent.
        assert docs[gone]["message_type"] == "issue_acknowledgement" and docs[gone]["person_id"] == "someone"
        assert [h["status"] for h in docs[gone]["history"]] == ["created", docs[gone]["status"]]
    for kept in ("old-email-still-retrying", "recent-email", "inapp-within-its-period"):
        assert docs[kept]["body"] == SAID["body"] and docs[kept]["values"] == SAID["values"], kept
        assert "content_removed_at" not in docs[kept]
    assert "Priya" not in str([docs[gone] for gone in ("old-email", "old-sms", "old-inapp")])

    # Each rule's run is on record, and a second run has nothing left to do.
    ours = {"kind": {"$in": list(MESSAGE_RULES)}}
    runs = await ctx.db[RETENTION_RUNS].find(ours, {"_id": 0, "kind": 1, "removed": 1, "keep_for_days": 1}).to_list()
    assert sorted(runs, key=lambda r: r["kind"]) == [
        {"kind": "email and text message content", "keep_for_days": 7, "removed": 2},
        {"kind": "in-app message content", "keep_for_days": 90, "removed": 1},
    ]
    again = await retention.run()
    assert {kind: again[kind] for kind in MESSAGE_RULES} == dict.fromkeys(MESSAGE_RULES, 0)
    assert await ctx.db[RETENTION_RUNS].count_documents(ours) == 4

    # The inbox still lists the old in-app message, saying its text was removed.
    inbox, _ = await ctx.components.use_cases.inbox.page("someone", PageQuery(limit=10))
    [item] = [InboxItem.of(m) for m in inbox if m.id == "old-inapp"]
    assert item.content_removed_at is not None and item.body == ""


async def test_the_retention_read_walks_its_index(service_context) -> None:
    ctx = await service_context(DEFINITION)
    await ctx.db[MESSAGES].insert_many([aged(f"m{n}", n % 20, ("email", "inapp")[n % 2]) for n in range(200)])
    held = content_held("email", datetime.now(UTC) - timedelta(days=7))
    query = {"find": MESSAGES, "filter": held, "hint": CONTENT_BY_AGE, "limit": 500}
    plan = str(await ctx.db.command({"explain": query, "verbosity": "queryPlanner"}))
    assert CONTENT_BY_AGE in plan and "COLLSCAN" not in plan, plan

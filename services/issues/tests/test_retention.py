"""Retention: a report closed a year ago no longer names its reporter; the report stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub_common.retention import RETENTION_RUNS
from hub_issues.adapters.issues import CLOSED_WITH_REPORTER, ISSUES

ERASED = "hub.issues.contact.erased.v1"
RULE = "reporters' links and contact details on closed reports"


async def closed_days_ago(api, issue_id: str, days: float) -> None:
    closed = datetime.now(UTC) - timedelta(days=days)
    await api.db[ISSUES].update_one(
        {"_id": issue_id},
        {"$set": {"open": False, "status": "closed", "closed_at": closed}, "$unset": {"near_key": ""}},
    )


async def test_closed_reports_are_unlinked_after_their_period_and_minted_contacts_erased(api) -> None:
    async def report(headers, **fields) -> dict:
        response = await api.report(headers=headers, lat=53.815 + len(fields) * 0.001, **fields)
        assert response.status_code == 201, response.text
        return response.json()["issue"]

    anonymous = await report({}, contact={"name": "Win", "email": "win@example.org"})
    signed_in = await report(api.auth("resident", "res-acct"))
    recent = await report({}, contact={"name": "Sam", "email": "sam@example.org"}, description="Broken bench")
    still_open = await report({}, contact={"name": "Ann", "email": "ann@example.org"}, description="Graffiti here")
    supporter = api.auth("resident", "res-fan")
    assert (await api.client.put(f"/v1/issues/{anonymous['id']}/support", headers=supporter)).status_code == 200
    await closed_days_ago(api, anonymous["id"], 400)
    await closed_days_ago(api, signed_in["id"], 366)
    await closed_days_ago(api, recent["id"], 300)
    minted = (await api.db[ISSUES].find_one({"_id": anonymous["id"]}))["reporter_id"]
    await api.db["outbox"].delete_many({})

    [retention] = [task for task in api.ctx.components.periodic if task.name == "retention"]
    runs_before = await api.count(RETENTION_RUNS, kind=RULE)  # the session's app: other tests' runs are kept
    assert (await retention.run())[RULE] == 2

    docs = {d["_id"]: d async for d in api.db[ISSUES].find()}
    for gone in (anonymous["id"], signed_in["id"]):
        assert "reporter_id" not in docs[gone] and docs[gone]["supporters"] == [] and docs[gone]["followers"] == []
        assert docs[gone]["description"] == "Bags of rubbish by the bus stop"  # the public record stays
    for kept in (recent["id"], still_open["id"]):
        assert docs[kept]["reporter_id"]
    # The anonymous reporter's id was theirs alone: notifications is told to erase their contact. The
    # signed-in account may have other reports and bookings: its contact is not erased from here.
    assert [e["subject"] for e in await api.outbox(ERASED)] == [minted]
    assert (await retention.run())[RULE] == 0
    assert await api.count(RETENTION_RUNS, kind=RULE) == runs_before + 2  # each run on record


async def test_the_retention_read_walks_its_partial_index(api) -> None:
    closed = {"open": False, "closed_at": {"$lt": datetime.now(UTC)}, "reporter_id": {"$exists": True}}
    query = {"find": ISSUES, "filter": closed, "hint": CLOSED_WITH_REPORTER, "sort": {"closed_at": 1}, "limit": 200}
    plan = str(await api.db.command({"explain": query, "verbosity": "queryPlanner"}))
    assert CLOSED_WITH_REPORTER in plan and "COLLSCAN" not in plan, plan

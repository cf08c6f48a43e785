"""The repositories: the documents an Issue is stored as, older documents still load, and their queries' plans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from issues_testkit import IN_NORTHFIELD, NORTHFIELD

from hub_common.http import PageQuery
from hub_issues.adapters.issues import ISSUES, IssueQuery, IssueRepository
from hub_issues.domain.issue import Issue
from hub_issues.domain.workflow import Actor, decide

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


def reported() -> Issue:
    return Issue(
        id="iss-0123456789ab",
        hub_id=NORTHFIELD,
        service_code="litter",
        service_name="Litter",
        group="Street cleaning",
        description="Bags by the bus stop",
        lat=IN_NORTHFIELD[0],
        lon=IN_NORTHFIELD[1],
        address="Moor Road",
        reporter_id="res-1",
        submitted_by="res-1",
        submitted_by_role="resident",
        followers=["res-1"],
        requested_at=T0,
        updated_at=T0,
    )


async def test_an_issue_is_stored_with_its_storage_fields_and_reads_back_the_same(api) -> None:
    issues = IssueRepository(api.db)
    issue = reported()
    await issues.add(issue)
    doc = await api.db[ISSUES].find_one({"_id": issue.id})
    assert doc["location"] == {"type": "Point", "coordinates": [IN_NORTHFIELD[1], IN_NORTHFIELD[0]]}
    assert doc["search_terms"] == ["iss", "0123456789ab", "bags", "by", "the", "bus", "stop", "litter", "moor", "road"]
    assert doc["near_key"] == "litter|53815|-1550" and doc["open"] is True
    assert not {"fixed_at", "assignee", "partner_key", "feedback", "closed_at"} & set(doc)  # absent until set
    assert doc["status_notes"] is None and doc["reporter_id"] == "res-1"  # always there, maybe null
    assert await issues.get(issue.id) == issue

    fix = decide(issue.workflow_state, "fix", actor=Actor("staff-1", "staff"), at=T0, public_note="Cleared")
    assert await issues.replace_if_version(issue.after(fix), 1)
    fixed = await api.db[ISSUES].find_one({"_id": issue.id})
    assert "near_key" not in fixed and fixed["fixed_at"] == T0 and fixed["version"] == 2
    assert not await issues.replace_if_version(issue.after(fix), 1)  # moved on: refused


async def test_older_documents_without_optional_fields_still_load(api) -> None:
    await api.db[ISSUES].insert_one(
        {
            "_id": "iss-old",
            "hub_id": NORTHFIELD,
            "service_code": "litter",
            "service_name": "Litter",
            "description": "Old report",
            "lat": 53.8,
            "lon": -1.55,
            "status": "reported",
            "open": True,
            "requested_at": T0,
            "updated_at": T0,
            "version": 3,
        }
    )
    issue = await IssueRepository(api.db).get("iss-old")
    assert (issue.version, issue.history, issue.followers, issue.feedback_state) == (3, [], [], "none")


async def test_searches_and_the_duplicate_lookup_use_their_indexes(api) -> None:
    issues = IssueRepository(api.db)
    await issues.add(reported())
    assert [d.issue_id for d in await issues.nearby(*IN_NORTHFIELD, "litter", 50)] == ["iss-0123456789ab"]
    found, _ = await issues.search(IssueQuery(hub_id=NORTHFIELD, words=["bus"]), PageQuery(limit=10))
    assert [i.id for i in found] == ["iss-0123456789ab"]
    plans = [
        await api.db[ISSUES].find({"near_key": {"$in": ["litter|53815|-1550"]}}).explain(),
        await api.db[ISSUES].find({"hub_id": NORTHFIELD}).hint("hub_newest").explain(),
        await api.db[ISSUES].find({"reporter_id": "res-1"}).explain(),
        await api.db[ISSUES].find({"followers": "res-1"}).explain(),
        await api.db[ISSUES]
        .find({"open": True, "overdue": False, "expected_at": {"$lt": T0 + timedelta(days=1)}})
        .explain(),
    ]
    for plan in plans:
        assert "IXSCAN" in str(plan["queryPlanner"]["winningPlan"]), plan

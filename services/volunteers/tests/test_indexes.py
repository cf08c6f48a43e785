"""Every list the API serves is read through its index (never a collection scan).

The list indexes end with the page's sort keys and ``_id``, so real MongoDB serves pages in index
order; SecantusDB's planner still adds an in-memory SORT over the (bounded) index scan, so only
the index choice is asserted here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from volunteers_testkit import Api

NOW = datetime.now(UTC)
LISTS: list[tuple[str, dict[str, Any], list[tuple[str, int]], str]] = [
    ("volunteers", {"hub_id": "h", "status": "applicant"}, [("created_at", 1)], "pipeline_v1"),
    ("skills", {"category": "food"}, [("category", 1), ("name", 1)], "by_category_v1"),
    ("skills", {}, [("category", 1), ("name", 1)], "by_category_v1"),
    ("roles", {"hub_id": "h", "status": "published"}, [("title", 1)], "by_hub_status_v1"),
    (
        "shifts",
        {"hub_id": "h", "status": "published", "starts_at": {"$gte": NOW}},
        [("starts_at", 1)],
        "by_hub_time_v1",
    ),
    ("signups", {"shift_id": "s", "status": "waitlisted"}, [("queued_at", 1)], "roster_v1"),
    ("signups", {"volunteer_id": "v"}, [("starts_at", 1)], "by_volunteer_v1"),
    ("hours", {"hub_id": "h", "status": "pending"}, [("created_at", 1)], "queue_v1"),
    ("hours", {"volunteer_id": "v"}, [("worked_on", -1)], "by_volunteer_v1"),
    ("awards", {"volunteer_id": "v"}, [("given_at", -1)], "by_volunteer_v1"),
    ("awards", {"hub_id": "h", "public": True}, [("given_at", -1)], "wall_v1"),
    ("venues", {"hub_id": "h"}, [("name", 1)], "by_hub_v1"),
    ("equipment", {"hub_id": "h"}, [("name", 1)], "by_hub_v1"),
]


def stages(plan: dict[str, Any]) -> list[str]:
    found = [plan.get("stage", "") + (f":{plan['indexName']}" if "indexName" in plan else "")]
    for key in ("inputStage", "queryPlan"):
        if key in plan:
            found += stages(plan[key])
    for child in plan.get("inputStages", []):
        found += stages(child)
    return found


@pytest.mark.parametrize(("collection", "query", "sort", "index"), LISTS)
async def test_list_query_uses_its_index(api: Api, collection: str, query: dict, sort: list, index: str) -> None:
    explained = await api.db[collection].find(query).sort([*sort, ("_id", 1)]).limit(51).explain()
    plan = stages(explained["queryPlanner"]["winningPlan"])
    assert f"IXSCAN:{index}" in plan, plan
    assert "COLLSCAN" not in plan, plan

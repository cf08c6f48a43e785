"""The ``open_issues`` collection: the read model of the issues service's open problem reports."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository
from hub_participation.domain.priority import OpenIssue

OPEN_ISSUES = "open_issues"
# The issues service's own priorities order: most supported, then oldest (the id breaks ties).
PRIORITY_SORT = [("support_count", DESCENDING), ("requested_at", ASCENDING), ("_id", ASCENDING)]

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        OPEN_ISSUES,
        (IndexModel([("hub_id", ASCENDING), ("open", ASCENDING), *PRIORITY_SORT], name="hub_priorities"),),
    ),
)


class OpenIssueRepository(Repository[OpenIssue]):
    collection_name = OPEN_ISSUES
    model = OpenIssue
    noun = "open issue"

    async def top_in_hub(self, hub_id: str, limit: int) -> list[OpenIssue]:
        """The hub's open issues, most supported first, then oldest (a forum's agenda)."""
        if limit <= 0:
            return []
        found = (
            self.collection.find({"hub_id": hub_id, "open": True}).sort(PRIORITY_SORT).hint("hub_priorities")
        ).limit(limit)
        return [self.from_document(doc) for doc in await found.to_list()]

"""Volunteer roles; each document also carries the search words of its title and purpose."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.skills import search_terms

ROLES = "roles"
BY_HUB_STATUS = "by_hub_status_v1"

INDEXES = (
    IndexSpec(
        ROLES,
        (
            IndexModel(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("title", ASCENDING), ("_id", ASCENDING)],
                name=BY_HUB_STATUS,
            ),
            IndexModel([("search_terms", ASCENDING)], name="search_terms"),
            IndexModel([("hub_id", ASCENDING), ("issue_categories", ASCENDING)], name="by_issue_category"),
        ),
    ),
)


class RoleRepository(Repository[Role]):
    collection_name = ROLES
    model = Role
    noun = "role"

    def to_document(self, item: Role) -> dict[str, Any]:
        return {**super().to_document(item), "search_terms": search_terms(item.title, item.purpose)}

    async def first_for_issue_category(self, hub_id: str, category: str, session: Session = None) -> Role | None:
        """The published role of the hub (first by title) that helps with issues of this category."""
        doc = await self.collection.find_one(
            {"hub_id": hub_id, "issue_categories": category, "status": "published"},
            sort=[("title", 1)],
            session=session,
        )
        return self.from_document(doc) if doc else None

    async def in_hub(
        self, hub_id: str, status: str, words: list[str] | None, paging: PageQuery
    ) -> tuple[list[Role], str | None]:
        """A hub's roles of one status by title; with ``words``, those whose title or purpose has them all."""
        query: dict[str, Any] = {"hub_id": hub_id, "status": status}
        if words is not None:
            query["search_terms"] = {"$all": words}
        # Without words the listing index serves it in order; with words the planner weighs the
        # search_terms index too, so no hint then.
        hint = BY_HUB_STATUS if words is None else None
        return await self.page(query, sort=[("title", 1)], limit=paging.limit, cursor=paging.cursor, hint=hint)

"""The ``categories`` collection: each hub's catalogue (Open311 services and their attributes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import ASCENDING, IndexModel, UpdateOne

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_issues.domain.catalogue import Category, category_id

CATEGORIES = "categories"

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        CATEGORIES,
        (
            IndexModel([("hub_id", ASCENDING), ("code", ASCENDING)], name="hub_code", unique=True),
            IndexModel([("code", ASCENDING), ("hub_id", ASCENDING)], name="code_hub"),
        ),
    ),
)
IN_HUB = [("hub_id", 1), ("code", 1)]  # hub_code
ACROSS_HUBS = [("code", 1), ("hub_id", 1)]  # code_hub
MOST_OFFERED = 2000  # an Open311 service list reads at most this many categories


class CategoryRepository(Repository[Category]):
    """Categories are frozen dataclasses (built positionally in the catalogue), so this repository maps them itself."""

    collection_name = CATEGORIES
    model = Category
    noun = "category"

    def to_document(self, item: Category) -> dict[str, Any]:
        return {
            "_id": item.id,
            **item.fields(),
            "version": item.version,
            "created_at": item.created_at,
            "updated_at": item.updated_at,
        }

    def from_document(self, doc: Mapping[str, Any]) -> Category:
        return Category.from_fields(doc)

    async def find_in_hub(self, hub_id: str, code: str, session: Session = None) -> Category | None:
        return await self.find(category_id(hub_id, code), session)

    async def exists(self, hub_id: str, code: str, session: Session = None) -> bool:
        found = await self.collection.find_one({"_id": category_id(hub_id, code)}, {"_id": 1}, session=session)
        return found is not None

    async def in_hub(self, hub_id: str, paging: PageQuery) -> tuple[list[Category], str | None]:
        """A hub's catalogue by code (hub_code)."""
        return await self.page({"hub_id": hub_id}, sort=[("code", 1)], limit=paging.limit, cursor=paging.cursor)

    async def active(self, hub_id: str | None) -> list[Category]:
        """The active categories of one hub by code (hub_code), or of every hub by code, then hub (code_hub)."""
        query: dict[str, Any] = {"hub_id": hub_id, "active": True} if hub_id else {"active": True}
        docs = await self.collection.find(query).sort(IN_HUB if hub_id else ACROSS_HUBS).to_list(MOST_OFFERED)
        return [self.from_document(d) for d in docs]

    async def first_active(self, code: str, hub_id: str | None) -> Category | None:
        """The active category with this code in the hub, or in the first hub offering it (code_hub)."""
        query: dict[str, Any] = {"code": code, "active": True, **({"hub_id": hub_id} if hub_id else {})}
        doc = await self.collection.find_one(query, sort=ACROSS_HUBS)
        return self.from_document(doc) if doc is not None else None

    async def add_missing(self, categories: Sequence[Category]) -> None:
        """Add the categories not stored yet; stored ones stay as they are (staff may have edited them)."""
        writes = []
        for category in categories:
            doc = self.to_document(category)
            writes.append(UpdateOne({"_id": doc.pop("_id")}, {"$setOnInsert": doc}, upsert=True))
        if writes:
            await self.collection.bulk_write(writes, ordered=False)

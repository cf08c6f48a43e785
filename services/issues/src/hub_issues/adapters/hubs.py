"""The ``hubs`` collection: each hub's boundary (GeoJSON, 2dsphere) and whether it is the default."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import GEOSPHERE, IndexModel, UpdateOne

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session, to_document
from hub_issues.domain.hub import Hub

HUBS = "hubs"

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        HUBS,
        (
            # Reports locate their hub in memory (ReferenceData); the index makes MongoDB refuse a
            # boundary it could not index, which is also one its geometry would misread.
            IndexModel([("boundary", GEOSPHERE)], name="boundary_2dsphere"),
        ),
    ),
)
BY_ID = [("_id", 1)]


class HubRepository(Repository[Hub]):
    collection_name = HUBS
    model = Hub
    noun = "hub"

    async def exists(self, hub_id: str, session: Session = None) -> bool:
        return await self.collection.find_one({"_id": hub_id}, {"_id": 1}, session=session) is not None

    async def all(self) -> dict[str, Hub]:
        """Every hub with its boundary: a council has tens of hubs, not thousands."""
        return {doc["_id"]: self.from_document(doc) async for doc in self.collection.find({})}

    async def in_order(self, paging: PageQuery) -> tuple[list[Hub], str | None]:
        return await self.page({}, sort=BY_ID, limit=paging.limit, cursor=paging.cursor)

    async def clear_default(self, session: Session, *, keep: str | None = None) -> None:
        """No hub but ``keep`` is the default any more (one default at a time). The others' versions
        stay: their own fields did not change."""
        query = {"is_default": True, **({"_id": {"$ne": keep}} if keep else {})}
        await self.collection.update_many(query, {"$set": {"is_default": False}}, session=session)

    async def add_missing(self, hubs: Sequence[Hub]) -> None:
        """Add the hubs not stored yet; stored ones stay as they are (staff may have edited them)."""
        writes = []
        for hub in hubs:
            doc = to_document(hub)
            writes.append(UpdateOne({"_id": doc.pop("_id")}, {"$setOnInsert": doc}, upsert=True))
        if writes:
            await self.collection.bulk_write(writes, ordered=False)

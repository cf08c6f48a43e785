"""The asset map's collection: its indexes, the public search and the lists the other sub-domains read.

Every list query names the index that serves it (``hint``): our development database's planner
may otherwise prefer a collection scan for compound filters, and a hint keeps real MongoDB and
SecantusDB on the same plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import ASCENDING, GEOSPHERE

from hub_assets.adapters.indexes import ix
from hub_assets.domain.assets import Asset, search_terms
from hub_common.mongo import IndexSpec
from hub_common.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from hub_common.repository import Repository

ASSETS = "assets"
NAME_ORDER = (("name", ASCENDING), ("_id", ASCENDING))
KIND_ORDER = (("kind", ASCENDING), ("status", ASCENDING), *NAME_ORDER)

INDEXES = (
    IndexSpec(
        ASSETS,
        (
            ix([("status", ASCENDING), *NAME_ORDER], "by_status"),
            ix([("hub_id", ASCENDING), ("status", ASCENDING), *NAME_ORDER], "by_hub"),
            ix([*KIND_ORDER], "by_kind"),
            ix([("tags", ASCENDING), ("status", ASCENDING), *NAME_ORDER], "by_tag"),
            ix([("search_terms", ASCENDING), ("status", ASCENDING), *NAME_ORDER], "by_terms"),
            ix([("geo", GEOSPHERE)], "by_geo"),
        ),
    ),
)


class AssetSearch:
    """The public asset search: text, kind, tag, hub, status and distance from a point."""

    def __init__(
        self,
        *,
        terms: list[str] | None = None,
        kind: str | None = None,
        tag: str | None = None,
        hub_id: str | None = None,
        status: str = "active",
    ) -> None:
        self.terms = terms or []
        self.kind, self.tag, self.hub_id, self.status = kind, tag, hub_id, status

    def query(self) -> dict[str, Any]:
        query: dict[str, Any] = {"status": self.status}
        if self.terms:
            query["search_terms"] = {"$all": self.terms}
        if self.tag:
            query["tags"] = self.tag
        if self.kind:
            query["kind"] = self.kind
        if self.hub_id:
            query["hub_id"] = self.hub_id
        return query

    def index(self) -> str:
        """The most selective index for this combination of filters."""
        if self.terms:
            return "by_terms"
        if self.tag:
            return "by_tag"
        if self.hub_id:
            return "by_hub"
        if self.kind:
            return "by_kind"
        return "by_status"


class AssetRepository(Repository[Asset]):
    """Assets are stored as JSON (ISO strings) but for their own timestamps, which stay BSON dates,
    with the ``search_terms`` the search matches and a GeoJSON ``geo`` point for ``$geoNear``."""

    collection_name = ASSETS
    model = Asset
    noun = "asset"

    def to_document(self, item: Asset) -> dict[str, Any]:
        doc = item.model_dump(mode="json", exclude={"id"})
        doc["_id"] = item.id
        doc["created_at"], doc["updated_at"], doc["retired_at"] = item.created_at, item.updated_at, item.retired_at
        doc["search_terms"] = search_terms(item)
        if item.location is not None:
            doc["geo"] = {"type": "Point", "coordinates": [item.location.lon, item.location.lat]}
        return doc

    def from_document(self, doc: Mapping[str, Any]) -> Asset:
        data = {k: v for k, v in doc.items() if k not in ("_id", "geo", "search_terms", "distance_m")}
        return Asset.model_validate({**data, "id": doc["_id"]})

    async def search(self, search: AssetSearch, *, limit: int, cursor: str | None) -> tuple[list[Asset], str | None]:
        return await self.page(search.query(), sort=NAME_ORDER, hint=search.index(), limit=limit, cursor=cursor)

    async def search_near(
        self, search: AssetSearch, *, lat: float, lon: float, radius_m: float, limit: int, cursor: str | None
    ) -> tuple[list[tuple[Asset, float]], str | None]:
        """Nearest first, within ``radius_m``; the cursor is (last distance, ids seen at that distance).

        ``$geoNear`` because it gives the distance and, on MongoDB, walks the 2dsphere index nearest
        first. (A ``$near`` find would show an index scan on SecantusDB too, but SecantusDB returns it
        unordered, so its limit cuts the wrong documents.)
        """
        query = search.query()
        min_distance = 0.0
        if cursor:
            min_distance, seen = decode_cursor(cursor, 2)
            query["_id"] = {"$nin": list(seen)}
        limit = max(1, min(limit, MAX_LIMIT))
        stage: dict[str, Any] = {
            "near": {"type": "Point", "coordinates": [lon, lat]},
            "key": "geo",
            "distanceField": "distance_m",
            "maxDistance": radius_m,
            "minDistance": float(min_distance),
            "query": query,
            "spherical": True,
        }
        docs = await (await self.collection.aggregate([{"$geoNear": stage}, {"$limit": limit + 1}])).to_list()
        next_cursor = None
        if len(docs) > limit:
            docs = docs[:limit]
            last = docs[-1]["distance_m"]
            seen = [d["_id"] for d in docs if d["distance_m"] == last]
            if cursor and float(min_distance) == last:
                seen += list(decode_cursor(cursor, 2)[1])
            next_cursor = encode_cursor([last, seen])
        return [(self.from_document(d), d["distance_m"]) for d in docs], next_cursor

    async def active_of_kinds(
        self, kinds: Sequence[str], *, hub_id: str | None, skip: int, limit: int
    ) -> tuple[list[Asset], int]:
        """Active assets of the given kinds (the HSDS export), page by page, with their total."""
        query: dict[str, Any] = {"kind": {"$in": list(kinds)}, "status": "active"}
        if hub_id:
            query["hub_id"] = hub_id
        total = await self.collection.count_documents(query, hint="by_kind")
        docs = (
            await self.collection.find(query).sort(list(KIND_ORDER)).hint("by_kind").skip(skip).limit(limit).to_list()
        )
        return [self.from_document(d) for d in docs], total

    async def with_inspections(self) -> list[Asset]:
        """Active equipment that has an inspection interval (the inspections-due sweep)."""
        query = {"kind": "equipment", "status": "active", "equipment.inspection_interval_days": {"$ne": None}}
        docs = await self.collection.find(query).sort(list(NAME_ORDER)).hint("by_kind").to_list()
        return [self.from_document(d) for d in docs]

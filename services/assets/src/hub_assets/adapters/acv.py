"""Assets of Community Value: the public list, the open nomination of an asset, the listed ones the sweep reads.

Nominations hold only dates, stored as ISO strings (which sort and compare as dates).
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from hub_assets.adapters.indexes import ix
from hub_assets.domain.acv import Nomination
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session

ACV = "acv_nominations"
BY_NOMINATION = (("nominated_on", ASCENDING), ("_id", ASCENDING))

INDEXES = (
    IndexSpec(
        ACV,
        (
            ix([("hub_id", ASCENDING), ("status", ASCENDING), *BY_NOMINATION], "by_hub"),
            ix([("status", ASCENDING), *BY_NOMINATION], "by_status"),
            ix([("asset_id", ASCENDING), ("status", ASCENDING)], "by_asset"),
        ),
    ),
)


class NominationRepository(Repository[Nomination]):
    collection_name = ACV
    model = Nomination
    noun = "asset of community value entry"

    async def open_for_asset(self, asset_id: str, session: Session) -> Nomination | None:
        query = {"asset_id": asset_id, "status": {"$in": ["nominated", "listed"]}}
        doc = await self.collection.find_one(query, session=session, hint="by_asset")
        return self.from_document(doc) if doc else None

    async def listed_ids(self, limit: int = 10_000) -> list[str]:
        docs = await self.collection.find({"status": "listed"}, {"_id": 1}).hint("by_status").limit(limit).to_list()
        return [d["_id"] for d in docs]

    async def listing(
        self, *, hub_id: str | None, status: str, limit: int, cursor: str | None
    ) -> tuple[list[Nomination], str | None]:
        """The public list in one status (a hub's, or every hub's), in order of nomination."""
        query: dict[str, Any] = {"status": status} | ({"hub_id": hub_id} if hub_id else {})
        hint = "by_hub" if hub_id else "by_status"
        return await self.page(query, sort=BY_NOMINATION, hint=hint, limit=limit, cursor=cursor)

"""The ``satisfaction`` collection: one tally per hub, category and month (counts only)."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_participation.domain.satisfaction import SatisfactionMonth, tally_id

SATISFACTION = "satisfaction"

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(SATISFACTION, (IndexModel([("hub_id", ASCENDING), ("month", ASCENDING)], name="hub_month"),)),
)


class SatisfactionRepository(Repository[SatisfactionMonth]):
    collection_name = SATISFACTION
    model = SatisfactionMonth
    noun = "satisfaction tally"

    async def count(
        self, hub_id: str, service_code: str, month: str, *, fixed: bool, rating: int | None, session: Session
    ) -> None:
        """One more answer in its tally (in the consumer's transaction: counted once per event)."""
        inc = {"answered": 1, "fixed": int(fixed)}
        if rating is not None:
            inc[f"ratings.{rating}"] = 1
        await self.collection.update_one(
            {"_id": tally_id(hub_id, service_code, month)},
            {"$inc": inc, "$setOnInsert": {"hub_id": hub_id, "service_code": service_code, "month": month}},
            upsert=True,
            session=session,
        )

    async def of_hub(self, hub_id: str, since: str, until: str) -> list[SatisfactionMonth]:
        query = {"hub_id": hub_id, "month": {"$gte": since, "$lte": until}}
        found = self.collection.find(query).sort([("month", ASCENDING), ("_id", ASCENDING)]).hint("hub_month")
        return [self.from_document(doc) async for doc in found]

"""Staff who asked to be alerted about their hub (``hub_staff``); their details sit in the contact book."""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.mongo import IndexSpec

HUB_STAFF_COLLECTION = "hub_staff"
HUB_STAFF_INDEXES = (IndexSpec(HUB_STAFF_COLLECTION, (IndexModel([("hub_id", ASCENDING)], name="by_hub"),)),)


class HubStaff:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[HUB_STAFF_COLLECTION]

    async def of_hub(self, hub_id: str | None, session: AsyncClientSession | None = None) -> list[str]:
        if not hub_id:
            return []
        return [doc["person_id"] async for doc in self.collection.find({"hub_id": hub_id}, session=session)]

    async def join(self, hub_id: str, person_id: str, session: AsyncClientSession) -> None:
        await self.collection.update_one(
            {"_id": f"{hub_id}|{person_id}"},
            {"$set": {"hub_id": hub_id, "person_id": person_id, "since": datetime.now(UTC)}},
            upsert=True,
            session=session,
        )

    async def leave(self, hub_id: str, person_id: str) -> bool:
        return (await self.collection.delete_one({"_id": f"{hub_id}|{person_id}"})).deleted_count == 1

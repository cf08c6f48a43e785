"""Which message rules each hub has switched off (``rule_settings``); every rule is on by default."""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

RULE_SETTINGS = "rule_settings"


class RuleSettings:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[RULE_SETTINGS]

    async def disabled(self, hub_id: str | None, session: AsyncClientSession | None = None) -> set[str]:
        if not hub_id:
            return set()
        docs = self.collection.find({"hub_id": hub_id, "enabled": False}, {"message_type": 1}, session=session)
        return {doc["message_type"] async for doc in docs}

    async def set(self, hub_id: str, message_type: str, enabled: bool, by: str) -> None:
        await self.collection.update_one(
            {"_id": f"{hub_id}|{message_type}"},
            {
                "$set": {
                    "hub_id": hub_id,
                    "message_type": message_type,
                    "enabled": enabled,
                    "changed_by": by,
                    "changed_at": datetime.now(UTC),
                }
            },
            upsert=True,
        )

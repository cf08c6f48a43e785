"""What the workers last knew of each channel's server (``channel_health``: one document per channel)."""

from __future__ import annotations

from hub_common.repository import Repository
from hub_notifications.domain.channels import ChannelHealth

CHANNEL_HEALTH = "channel_health"


class ChannelHealthRepository(Repository[ChannelHealth]):
    collection_name = CHANNEL_HEALTH
    model = ChannelHealth
    noun = "channel"

    async def save(self, health: ChannelHealth) -> None:
        """The latest view wins (every worker probes and writes the same few documents)."""
        doc = self.to_document(health)
        await self.collection.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    async def all(self) -> list[ChannelHealth]:
        return [self.from_document(doc) async for doc in self.collection.find({}).sort("_id", 1)]

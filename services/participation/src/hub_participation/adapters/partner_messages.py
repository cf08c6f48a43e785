"""The ``partner_messages`` collection: which partner messages on ``hub.participation.inbound`` were
taken, by ``<ce_source>|<partner_ref>``, so a message the partner sends again (even with a new event
id) changes nothing. It holds the partner's reference of the message and its type, never the person."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, IndexModel

from hub_common.mongo import IndexSpec
from hub_common.repository import Session

PARTNER_MESSAGES = "partner_messages"

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(PARTNER_MESSAGES, (IndexModel([("taken_at", ASCENDING)], name="by_taken_at"),)),  # retention
)


class PartnerMessageRepository:
    def __init__(self, db) -> None:
        self.collection = db[PARTNER_MESSAGES]

    async def taken(self, source: str, partner_ref: str, session: Session) -> bool:
        found = await self.collection.find_one({"_id": f"{source}|{partner_ref}"}, {"_id": 1}, session=session)
        return found is not None

    async def record(self, source: str, partner_ref: str, event_type: str, at: datetime, session: Session) -> None:
        doc = {"_id": f"{source}|{partner_ref}", "source": source, "type": event_type, "taken_at": at}
        await self.collection.insert_one(doc, session=session)

    async def forget_before(self, cutoff: datetime) -> int:
        """Retention: drop the references of messages taken before ``cutoff``; how many."""
        return (await self.collection.delete_many({"taken_at": {"$lt": cutoff}})).deleted_count

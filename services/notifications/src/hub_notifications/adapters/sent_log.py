"""What each person was last sent on each channel (``sent_log``), for the throttle.

One small document per (person, channel) with the times of their latest sends: the throttle reads
it by id for a whole batch of recipients. Counting a busy person's delivered messages instead read
every message they were ever sent (SecantusDB walks a multi-field filter on one clause's index: a
staff member alerted of each report had hundreds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.repository import Session

SENT_LOG = "sent_log"


@dataclass
class Sent:
    """What a person was sent on one channel in the throttle's window."""

    count: int
    first_at: datetime


def _key(person_id: str, channel: str) -> str:
    return f"{person_id}|{channel}"


class SentLog:
    def __init__(self, db: AsyncDatabase, keep: int) -> None:
        self.collection = db[SENT_LOG]
        self.keep = max(keep, 1)  # the throttle's limit: more sends than that never change its answer

    async def record(self, sends: Sequence[tuple[str, str, datetime]], session: Session) -> None:
        """Note these (person, channel, when) sends, keeping each person's latest ``keep`` per channel."""
        updates = [
            UpdateOne(
                {"_id": _key(person_id, channel)},
                {"$push": {"at": {"$each": [at], "$sort": 1, "$slice": -self.keep}}},
                upsert=True,
            )
            for person_id, channel, at in sends
        ]
        if updates:
            await self.collection.bulk_write(updates, ordered=True, session=session)

    async def since(
        self, person_ids: Sequence[str], channels: Sequence[str], since: datetime, session: Session = None
    ) -> dict[tuple[str, str], Sent]:
        """How many of their latest sends each person had on each channel since then, and the first."""
        keys = [_key(p, c) for p in person_ids for c in channels]
        if not keys:
            return {}
        sent: dict[tuple[str, str], Sent] = {}
        async for doc in self.collection.find({"_id": {"$in": keys}}, session=session):
            times = [at for at in doc["at"] if at >= since]
            if times:
                person_id, channel = doc["_id"].rsplit("|", 1)
                sent[(person_id, channel)] = Sent(len(times), min(times))
        return sent

    async def forget(self, person_id: str, channels: Sequence[str], session: Session) -> None:
        await self.collection.delete_many({"_id": {"$in": [_key(person_id, c) for c in channels]}}, session=session)

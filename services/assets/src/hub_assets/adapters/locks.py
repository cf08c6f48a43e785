"""Lock documents: what makes concurrent bookings and loans of one thing take turns.

A use case bumps a lock document inside its transaction. Two transactions that both bump it
conflict (write conflict → the unit of work retries the loser from the start), so the overlap
checks that follow see every committed booking or loan.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.errors import RuleViolation

LOCKS = "asset_locks"
MAX_SLOT_DAYS = 15  # the longest booking policy allows 14 days


class AssetLocks:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[LOCKS]

    async def lock(self, key: str, session: AsyncClientSession) -> int:
        """Bump the lock document ``key`` (an asset id, ``acv:<asset>``, ``<room>|<day>``)."""
        doc = await self.collection.find_one_and_update(
            {"_id": key}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER, session=session
        )
        return doc["n"]

    async def lock_room_days(
        self, room_id: str, starts_at: datetime, ends_at: datetime, session: AsyncClientSession
    ) -> None:
        """Bump the room's lock document of every UTC day the slot touches.

        Two overlapping slots always share a day, so their transactions conflict and one retries;
        bookings on different days of the same room do not contend.
        """
        for day in slot_days(starts_at, ends_at):
            await self.lock(f"{room_id}|{day}", session)


def slot_days(starts_at: datetime, ends_at: datetime) -> list[str]:
    first = starts_at.astimezone(UTC).date()
    last = (ends_at.astimezone(UTC) - timedelta(microseconds=1)).date()
    if (last - first).days > MAX_SLOT_DAYS:
        raise RuleViolation(f"a booking spans at most {MAX_SLOT_DAYS} days")
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]

"""A MongoDB collection used as a work queue: items due for an attempt, claimed by one worker at a time.

Messages and webhook deliveries both work this way. A claim sets the item to 'sending' with a
lease; an item still 'sending' after its lease belongs to a worker that died, and is due again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

SENDING_LEASE = timedelta(minutes=2)  # a worker that dies mid-send frees its item after this (default)
# The queue is read again after this many attempts, so an urgent item waits behind at most these.
READ_AGAIN_AFTER = 20


class DueWork:
    def __init__(
        self,
        collection: AsyncCollection,
        due_statuses: Sequence[str],
        sending_lease: timedelta,
        urgent: dict[str, Any] | None = None,
    ) -> None:
        self.collection = collection
        self.due_statuses = list(due_statuses)
        self.sending_lease = sending_lease
        self.urgent = urgent  # items that go before everything else due, e.g. {"critical": True}

    def _due(self, now: datetime) -> dict[str, Any]:
        return {"status": {"$in": self.due_statuses}, "next_attempt_at": {"$lte": now}}

    async def due_ids(self, now: datetime, limit: int) -> list[str]:
        """Ids of up to ``limit`` items due (or left in 'sending' by a crashed worker): urgent ones first,
        then oldest first. One sorted read per batch (on SecantusDB a sort per claim scanned every due
        item); urgent items do not wait behind a backlog (a sign-in link behind thousands of updates)."""
        ids: list[str] = []
        # The urgent fields lead the query, as they lead their index (SecantusDB: 9 ms, not 60, at 20k).
        for query in ([{**self.urgent, **self._due(now)}] if self.urgent else []) + [self._due(now)]:
            if len(ids) < limit:
                due = self.collection.find(query, {"_id": 1}).sort("next_attempt_at", ASCENDING).limit(limit)
                ids += [doc["_id"] async for doc in due if doc["_id"] not in ids]
        return ids[:limit]

    async def claim(self, item_id: str, now: datetime) -> dict[str, Any] | None:
        """Take one item for an attempt if it is still due; None if another worker took it first."""
        return await self.collection.find_one_and_update(
            {"_id": item_id, **self._due(now)},
            {"$set": {"status": "sending", "next_attempt_at": now + self.sending_lease}, "$inc": {"attempts": 1}},
            return_document=ReturnDocument.AFTER,
        )

    async def attempt_due(self, attempt: Callable[[dict[str, Any]], Awaitable[None]], limit: int) -> int:
        """Attempt every due item, up to ``limit``; each is claimed just before its attempt, so the lease
        covers one send. Returns how many were attempted."""
        attempted = 0
        while attempted < limit:
            due = await self.due_ids(datetime.now(UTC), min(limit - attempted, READ_AGAIN_AFTER))
            if not due:
                break
            for item_id in due:
                item = await self.claim(item_id, datetime.now(UTC))
                if item is not None:  # else another worker took it first
                    attempted += 1
                    await attempt(item)
        return attempted

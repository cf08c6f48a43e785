"""A MongoDB collection used as a work queue: items due for an attempt, claimed by one worker at a time.

Messages and webhook deliveries both work this way. A claim sets the item to 'sending' with a
lease; an item still 'sending' after its lease belongs to a worker that died, and is due again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.clock import Clock, system_clock
from hub_common.repository import Repository, Session
from hub_notifications.domain.messages import Outcome

M = TypeVar("M", bound=BaseModel)

SENDING_LEASE = timedelta(minutes=2)  # a worker that dies mid-send frees its item after this (default)
# The queue is read again after this many attempts, so an urgent item waits behind at most these.
READ_AGAIN_AFTER = 20


class DueWork(Repository[M]):
    """The named queries of a work queue; subclasses name the statuses that are due."""

    due_statuses: ClassVar[tuple[str, ...]]
    urgent: ClassVar[dict[str, Any] | None] = None  # items that go before everything else due

    def __init__(
        self, db: AsyncDatabase, sending_lease: timedelta = SENDING_LEASE, clock: Clock = system_clock
    ) -> None:
        super().__init__(db)
        self.sending_lease = sending_lease
        self.clock = clock

    def _due(self, now: datetime) -> dict[str, Any]:
        return {"status": {"$in": list(self.due_statuses)}, "next_attempt_at": {"$lte": now}}

    async def add_if_absent(self, item: M, session: Session) -> None:
        """Queue the item unless its id exists: its id is derived from what it is about, so repeats change nothing."""
        doc = self.to_document(item)
        await self.collection.update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True, session=session)

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

    async def claim(self, item_id: str, now: datetime) -> M | None:
        """Take one item for an attempt if it is still due; None if another worker took it first."""
        doc = await self.collection.find_one_and_update(
            {"_id": item_id, **self._due(now)},
            {"$set": {"status": "sending", "next_attempt_at": now + self.sending_lease}, "$inc": {"attempts": 1}},
            return_document=ReturnDocument.AFTER,
        )
        return self.from_document(doc) if doc is not None else None

    async def claim_due(self, now: datetime) -> M | None:
        """Take the next item due for an attempt, if any."""
        for item_id in await self.due_ids(now, 1):
            return await self.claim(item_id, now)
        return None

    async def attempt_due(self, attempt: Callable[[M], Awaitable[None]], limit: int) -> int:
        """Attempt every due item, up to ``limit``; each is claimed just before its attempt, so the lease
        covers one send. Returns how many were attempted."""
        attempted = 0
        while attempted < limit:
            due = await self.due_ids(self.clock(), min(limit - attempted, READ_AGAIN_AFTER))
            if not due:
                break
            for item_id in due:
                item = await self.claim(item_id, self.clock())
                if item is not None:  # else another worker took it first
                    attempted += 1
                    await attempt(item)
        return attempted


def finish_update(outcome: Outcome, now: datetime, entry: dict[str, Any]) -> dict[str, Any]:
    """The update that records an attempt's outcome (and its history ``entry``) on a claimed item."""
    update: dict[str, Any] = {
        "$set": {"status": outcome.status, "reason": outcome.reason, "updated_at": now},
        "$push": {"history": entry},
    }
    if outcome.next_attempt_at is not None:
        update["$set"]["next_attempt_at"] = outcome.next_attempt_at
    else:
        update["$unset"] = {"next_attempt_at": ""}
    return update

"""A MongoDB collection used as a work queue: items due for an attempt, claimed by one worker at a time.

Messages and webhook deliveries both work this way. A claim sets items to 'sending' with a claim
token and a short lease, which the worker renews while it works on them; an item still 'sending'
after its lease belongs to a worker that died, and is due again within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.clock import Clock, system_clock
from hub_common.logging import get_logger
from hub_common.metrics import WORK_STAGE_SECONDS
from hub_common.repository import Repository, Session
from hub_common.uow import Transaction
from hub_notifications.domain.messages import Outcome

M = TypeVar("M", bound=BaseModel)

log = get_logger(__name__)

# A worker that dies mid-send frees its items after this (default); a live one renews it every third.
SENDING_LEASE = timedelta(seconds=10)
# The queue is read again after this many items, so an urgent item waits behind at most these.
READ_AGAIN_AFTER = 20


class DueWork(Repository[M]):
    """The named queries of a work queue; subclasses name the statuses that are due."""

    due_statuses: ClassVar[tuple[str, ...]]
    urgent: ClassVar[dict[str, Any] | None] = None  # items that go before everything else due
    fresh_status: ClassVar[str] = "created"  # never attempted: goes before retries and deferred work

    def __init__(
        self, db: AsyncDatabase, sending_lease: timedelta = SENDING_LEASE, clock: Clock = system_clock
    ) -> None:
        super().__init__(db)
        self.sending_lease = sending_lease
        self.clock = clock

    def _due(self, now: datetime) -> dict[str, Any]:
        return {"status": {"$in": list(self.due_statuses)}, "next_attempt_at": {"$lte": now}}

    # -- planning -----------------------------------------------------------------------------

    def add_if_absent(self, item: M, tx: Transaction) -> None:
        """Queue the item unless its id exists: its id is derived from what it is about, so repeats change
        nothing. Written with the transaction's other planned items in one bulk call before it commits."""
        tx.stage(self.collection_name, item, self.add_missing)

    async def add_missing(self, items: list[M], session: Session, claim: str | None = None) -> set[str]:
        """Write those of ``items`` whose id does not exist yet; returns their ids. The ids are looked up
        and the new items inserted, in two round trips: an insert costs a fraction of an upsert (on
        SecantusDB a tenth), and in a transaction a duplicate inserted meanwhile by another worker
        is a write conflict, which runs the whole transaction again (and then finds it). Items
        whose status is 'sending' are written claimed under ``claim`` (handed to this worker)."""
        docs = list({doc["_id"]: doc for doc in self.claimed_documents(items, claim)}.values())
        ids = [doc["_id"] for doc in docs]
        existing = {
            doc["_id"] async for doc in self.collection.find({"_id": {"$in": ids}}, {"_id": 1}, session=session)
        }
        new = [doc for doc in docs if doc["_id"] not in existing]
        if new:
            await self.collection.insert_many(new, ordered=True, session=session)
        return {str(doc["_id"]) for doc in new}

    def claimed_documents(self, items: Sequence[M], claim: str | None) -> list[dict[str, Any]]:
        """The items' documents, those in 'sending' claimed under ``claim`` (handed to this worker)."""
        docs = [self.to_document(item) for item in items]
        if claim is not None:
            for doc in docs:
                if doc.get("status") == "sending":
                    doc["claim"] = claim
        return docs

    # -- claiming -----------------------------------------------------------------------------

    async def due_ids(self, now: datetime, limit: int) -> list[str]:
        """Ids of up to ``limit`` items due (or left in 'sending' by a crashed worker), in three lanes:
        urgent ones, then fresh ones (never attempted), then the rest (retries, deferred work), each
        oldest first. A sign-in link does not wait behind a backlog of updates, and a new resident's
        acknowledgement does not wait behind yesterday's retries."""
        fresh = [self.fresh_status]
        rest = [status for status in self.due_statuses if status != self.fresh_status]
        lanes = [(self.urgent, list(self.due_statuses))] if self.urgent else []
        lanes += [({}, fresh), ({}, rest)]
        ids: list[str] = []
        for match, statuses in lanes:
            if len(ids) < limit:
                ids += [i for i in await self._oldest_due(match, statuses, now, limit - len(ids)) if i not in ids]
        return ids[:limit]

    async def _oldest_due(self, match: dict[str, Any], statuses: list[str], now: datetime, limit: int) -> list[str]:
        """The ``limit`` oldest due items of these statuses: one read per status, merged. Each read is an
        equality prefix and one range, which both MongoDB and SecantusDB walk on the lane's index; a
        ``status: {$in}`` beside the range made SecantusDB scan and sort the whole collection."""
        found: list[tuple[datetime, str]] = []
        for status in statuses:
            query = {**match, "status": status, "next_attempt_at": {"$lte": now}}
            due = self.collection.find(query, {"next_attempt_at": 1}).sort("next_attempt_at", ASCENDING).limit(limit)
            found += [(doc["next_attempt_at"], doc["_id"]) async for doc in due]
        return [item_id for _, item_id in sorted(found)[:limit]]

    def _claim_update(self, now: datetime, token: str) -> dict[str, Any]:
        return {
            "$set": {"status": "sending", "claim": token, "next_attempt_at": now + self.sending_lease},
            "$inc": {"attempts": 1},
        }

    async def claim(self, item_id: str, now: datetime, token: str | None = None) -> M | None:
        """Take one item for an attempt if it is still due; None if another worker took it first.
        Claims and renewals run in transactions of their own (see ``Repository.atomically``)."""
        doc = await self.atomically(
            lambda session: self.collection.find_one_and_update(
                {"_id": item_id, **self._due(now)},
                self._claim_update(now, token or uuid.uuid4().hex),
                return_document=ReturnDocument.AFTER,
                session=session,
            )
        )
        return self.from_document(doc) if doc is not None else None

    async def claim_due(self, now: datetime) -> M | None:
        """Take the next item due for an attempt, if any."""
        for item_id in await self.due_ids(now, 1):
            return await self.claim(item_id, now)
        return None

    async def claim_many(self, ids: Sequence[str], now: datetime, token: str) -> list[M]:
        """Take those of ``ids`` still due, in two round trips; others went to another worker first.
        Returned in the order of ``ids`` (the lanes' order)."""
        update = self._claim_update(now, token)
        await self.atomically(
            lambda session: self.collection.update_many(
                {"_id": {"$in": list(ids)}, **self._due(now)}, update, session=session
            )
        )
        docs = await self._held_under(ids, token)
        return [self.from_document(docs[i]) for i in ids if i in docs]

    async def _held_under(
        self, ids: Sequence[str], token: str, session: Session = None, fields: Sequence[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """Those of ``ids`` claimed under ``token`` and not yet recorded, by id (whole, or only ``fields``
        beside the claim). Read back by id alone and kept if ours: an id lookup on every server (with
        the token beside the $in, SecantusDB scanned the collection)."""
        projection = {name: 1 for name in ("claim", "status", *fields)} if fields is not None else None
        found = self.collection.find({"_id": {"$in": list(ids)}}, projection, session=session)
        return {doc["_id"]: doc async for doc in found if doc.get("claim") == token and doc.get("status") == "sending"}

    async def still_ours(self, ids: Sequence[str], token: str, now: datetime) -> set[str]:
        """Renew the lease on those of ``ids`` still held under ``token``; returns their ids (a lease that
        ran out may have let another worker claim some, which this worker must then not send)."""
        await self.renew(ids, token, now)
        return set(await self._held_under(ids, token))

    async def renew(self, ids: Sequence[str], token: str, now: datetime) -> None:
        """Extend the lease of what this worker still holds (not yet recorded) under ``token``."""
        await self.atomically(
            lambda session: self.collection.update_many(
                {"_id": {"$in": list(ids)}, "claim": token, "status": "sending"},
                {"$set": {"next_attempt_at": now + self.sending_lease}},
                session=session,
            )
        )

    @contextlib.asynccontextmanager
    async def leased(self, ids: Sequence[str], token: str) -> AsyncIterator[None]:
        """Renew the lease on ``ids`` while the block runs: a live worker keeps its items however long
        a send takes, and a dead one's are due again one lease after its last renewal."""

        async def renew_until_cancelled() -> None:
            while True:
                await asyncio.sleep(self.sending_lease.total_seconds() / 3)
                try:
                    await self.renew(ids, token, self.clock())
                except Exception as exc:  # the next renewal may succeed; the lease covers a missed one
                    log.warning("could not renew a claim's lease", collection=self.collection_name, error=repr(exc))

        renewing = asyncio.create_task(renew_until_cancelled(), name=f"renew-{self.collection_name}")
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    # -- attempting ---------------------------------------------------------------------------

    async def attempt_due(self, attempt: Callable[[M], Awaitable[None]], limit: int) -> int:
        """Attempt due items one at a time, up to ``limit``; each is claimed just before its attempt and
        its lease renewed while it runs. Returns how many were attempted."""
        attempted = 0
        while attempted < limit:
            due = await self.due_ids(self.clock(), min(limit - attempted, READ_AGAIN_AFTER))
            if not due:
                break
            for item_id in due:
                token = uuid.uuid4().hex
                item = await self.claim(item_id, self.clock(), token)
                if item is not None:  # else another worker took it first
                    attempted += 1
                    async with self.leased([item_id], token):
                        await attempt(item)
        return attempted

    async def attempt_due_in_batches(
        self, attempt: Callable[[list[M], str], Awaitable[None]], limit: int, batch: int = READ_AGAIN_AFTER
    ) -> int:
        """Attempt due items a batch at a time, up to ``limit``: each batch is claimed at once under one
        token (passed to ``attempt``, which records outcomes with it) and its lease renewed while the
        attempt runs. The queue is read again between batches, so urgent work waits at most one batch."""
        attempted = 0
        claiming = WORK_STAGE_SECONDS.labels("notifications", self.collection_name, "claim")
        while attempted < limit:
            started = time.perf_counter()
            due = await self.due_ids(self.clock(), min(limit - attempted, batch))
            if not due:
                break
            token = uuid.uuid4().hex
            items = await self.claim_many(due, self.clock(), token)
            claiming.observe(time.perf_counter() - started)
            if not items:
                continue  # other workers took them all first
            attempted += len(items)
            async with self.leased([item.id for item in items], token):  # type: ignore[attr-defined]
                await attempt(items, token)
            if len(due) < batch:
                # The queue held no more when it was read: reading it again now would find nothing but
                # what was inserted meanwhile, and an insert wakes the loop that called this anyway.
                break
        return attempted


def finish_update(outcome: Outcome, now: datetime, entry: dict[str, Any]) -> dict[str, Any]:
    """The update that records an attempt's outcome (and its history ``entry``) on a claimed item."""
    update: dict[str, Any] = {
        "$set": {"status": outcome.status, "reason": outcome.reason, "updated_at": now},
        "$push": {"history": entry},
        "$unset": {"claim": ""},
    }
    if outcome.next_attempt_at is not None:
        update["$set"]["next_attempt_at"] = outcome.next_attempt_at
    else:
        update["$unset"]["next_attempt_at"] = ""
    if not outcome.attempted:
        update["$inc"] = {"attempts": -1}  # the claim counted one; nothing was tried
    return update

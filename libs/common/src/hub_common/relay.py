"""The outbox relay: publishes committed outbox records to Kafka, in order, and deletes them.

A record holds the events of one transaction (see ``hub_common.uow.outbox_records``), in the order
they were raised; records go in the order they were written.

A record is deleted as soon as Kafka has it: the topic is the log of what was published, and a copy
kept in the outbox would only be a second place holding the events' data (contact events carry
names, emails and phone numbers) that an erasure would have to reach. Deleting is also one write
instead of two (marking it sent, then expiring it), on the pipeline's busiest collection.

One relay per service publishes at a time: scaled workers compete for a lease in MongoDB and the
others stand by, so events of an aggregate are never published out of order by two relays. The
relay is woken by a change stream on the outbox and polls as a safety net; while the broker is
down it backs off and keeps the records, and publishes them in order once the broker is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from hub_common import envelope, metrics
from hub_common.logging import get_logger
from hub_common.uow import OUTBOX, record_events
from hub_common.wake import InsertWake, sleep_unless

log = get_logger(__name__)

LEASES = "outbox_lease"
BACKLOG_REFRESH_S = 10.0


class OutboxRelay:
    def __init__(
        self,
        db: AsyncDatabase,
        *,
        service: str,
        producer_factory: Callable[[], AIOKafkaProducer],
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        lease_s: float = 15.0,
        max_backoff_s: float = 10.0,
    ) -> None:
        self.db = db
        self.service = service
        self.producer_factory = producer_factory
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.lease_s = lease_s
        self.max_backoff_s = max_backoff_s
        self.owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self._wake = InsertWake(db[OUTBOX], poll_interval_s=poll_interval_s)
        self._producer: AIOKafkaProducer | None = None
        self._backlog_checked_at = 0.0
        self._lease_renewed_at: float | None = None

    # -- lease ---------------------------------------------------------------------------------

    async def acquire_lease(self) -> bool:
        """Take or renew the relay lease; False while another live relay holds it."""
        now = datetime.now(UTC)
        try:
            doc = await self.db[LEASES].find_one_and_update(
                {"_id": "relay", "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "expires_at": now + timedelta(seconds=self.lease_s)}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False  # the lease exists and is held by someone else
        held = doc is not None and doc.get("owner") == self.owner
        metrics.RELAY_LEADER.labels(self.service).set(1 if held else 0)
        return held

    async def release_lease(self) -> None:
        self._lease_renewed_at = None
        with contextlib.suppress(PyMongoError):
            await self.db[LEASES].delete_one({"_id": "relay", "owner": self.owner})
        metrics.RELAY_LEADER.labels(self.service).set(0)

    # -- publishing ----------------------------------------------------------------------------

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self.producer_factory()
            try:
                await producer.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await producer.stop()

    async def publish_batch(self) -> int:
        """Publish up to about ``batch_size`` pending events in order; return how many were published.

        Events are sent pipelined, and the records whose events Kafka has all taken are deleted in one
        statement. If a send fails, only the records before it are deleted, so nothing is skipped and
        order per key is kept (an event of a record kept that did reach Kafka is sent again; consumers
        drop the duplicate).
        """
        records = await self._pending_records()
        if not records:
            return 0
        producer = await self._ensure_producer()
        deliveries = []
        failure: BaseException | None = None
        for event in (event for record in records for event in record_events(record)):
            message = _to_kafka(event)
            try:
                deliveries.append(
                    await producer.send(message.topic, message.value, key=message.key, headers=message.headers)
                )
            except KafkaError as exc:
                failure = exc
                break
        results = await asyncio.gather(*deliveries, return_exceptions=True)
        delivered = 0
        for result in results:
            if isinstance(result, BaseException):
                failure = failure or result
                break
            delivered += 1
        done, published = [], 0
        for record in records:
            events = record_events(record)
            if published + len(events) > delivered:
                break
            done.append(record)
            published += len(events)
        if done:
            await self.db[OUTBOX].delete_many({"_id": {"$in": [r["_id"] for r in done]}})
            for record in done:
                for event in record_events(record):
                    metrics.EVENTS_PUBLISHED.labels(self.service, event["topic"], event["type"]).inc()
        if failure is not None:
            raise failure
        return published

    async def _pending_records(self) -> list[dict[str, Any]]:
        """The oldest pending records, up to the first that brings their events to ``batch_size``."""
        records, events = [], 0
        found = self.db[OUTBOX].find({"status": "pending"}).sort([("created_at", ASCENDING), ("seq", ASCENDING)])
        async for record in found.limit(self.batch_size):
            records.append(record)
            events += len(record_events(record))
            if events >= self.batch_size:
                break
        await found.close()
        return records

    async def backlog(self) -> int:
        return await pending_events(self.db)

    # -- loop ----------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.5
        async with self._wake.watching(stop):
            try:
                while not stop.is_set():
                    try:
                        if not await self._hold_lease():
                            await self._drop_producer()
                            await sleep_unless(stop, self.lease_s / 3)
                            continue
                        self._wake.clear()
                        published = await self.publish_batch()
                        backoff = 0.5
                        if published < self.batch_size:
                            await self._refresh_backlog_metric()
                            await self._wake.wait(stop)
                    except (KafkaError, PyMongoError, OSError, TimeoutError) as exc:
                        log.warning("outbox relay cannot publish yet; will retry", error=repr(exc), retry_in_s=backoff)
                        if isinstance(exc, KafkaError | OSError | TimeoutError):
                            await self._drop_producer()
                        await sleep_unless(stop, backoff)
                        backoff = min(backoff * 2, self.max_backoff_s)
            finally:
                await self._drop_producer()
                await self.release_lease()

    async def _hold_lease(self) -> bool:
        """Renew the lease a third of the way through its life, not on every batch."""
        now = asyncio.get_running_loop().time()
        if self._lease_renewed_at is not None and now - self._lease_renewed_at < self.lease_s / 3:
            return True
        held = await self.acquire_lease()
        self._lease_renewed_at = now if held else None
        return held

    async def _refresh_backlog_metric(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() - self._backlog_checked_at >= BACKLOG_REFRESH_S:
            self._backlog_checked_at = loop.time()
            metrics.OUTBOX_BACKLOG.labels(self.service).set(await self.backlog())
            oldest = await self.db[OUTBOX].find_one(
                {"status": "pending"}, {"created_at": 1}, sort=[("created_at", ASCENDING), ("seq", ASCENDING)]
            )
            age = (datetime.now(UTC) - oldest["created_at"]).total_seconds() if oldest else 0.0
            metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(age)


async def pending_events(db: AsyncDatabase) -> int:
    """How many events wait in a service's outbox (its records hold one or several each)."""
    counted = await db[OUTBOX].aggregate(
        [
            {"$match": {"status": "pending"}},
            {"$project": {"n": {"$cond": [{"$isArray": "$events"}, {"$size": "$events"}, 1]}}},
            {"$group": {"_id": None, "events": {"$sum": "$n"}}},
        ]
    )
    totals = await counted.to_list()
    return totals[0]["events"] if totals else 0


def _to_kafka(event: dict[str, Any]) -> envelope.KafkaRecord:
    return envelope.encode(
        topic=event["topic"],
        event_id=event["_id"],
        source=event["source"],
        event_type=event["type"],
        time=event["created_at"],
        subject=event["subject"],
        data=event["data"],
        traceparent=event.get("traceparent"),
        hub_id=event.get("hub_id"),
    )

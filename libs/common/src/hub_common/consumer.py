"""The consumer runner: one consumer group per service, effects stored exactly once.

For each batch fetched from Kafka it:
1. decodes and validates every message (an invalid one goes to the service's DLT at once);
2. drops messages whose ``ce_source``+``ce_id`` is already in the ``inbox`` (a redelivery);
3. runs the handlers of the rest in one MongoDB transaction that also writes their inbox
   records, so an effect and its dedupe record commit together;
4. commits the Kafka offsets only after that.

If the batch transaction fails, each message is retried on its own: transient errors
(database or broker unavailable) are retried with backoff for as long as it takes; any other
error is retried ``max_attempts`` times and then the message goes to the DLT with its origin
and the error in headers, and the consumer moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, KafkaError
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from hub_common import metrics
from hub_common.contracts import dlt_topic
from hub_common.envelope import Envelope, InvalidEvent, decode, event_type_of
from hub_common.kafka import KafkaConnection, connection
from hub_common.logging import get_logger
from hub_common.mongo import IndexSpec, is_transient_mongo_error
from hub_common.tracing import new_trace, parse_traceparent, reset_current_trace, set_current_trace
from hub_common.uow import Transaction, UnitOfWork
from hub_common.wake import sleep_unless

log = get_logger(__name__)

INBOX = "inbox"
INBOX_RETENTION_S = 30 * 24 * 3600

# A handler stores its effects through ``tx`` only (and may publish events with it): a batch
# that fails is rolled back and tried again message by message, so nothing may escape the
# transaction. Work outside the database (sending an email) is queued in it and done later.
Handler = Callable[[Envelope, Transaction], Awaitable[None]]


class PermanentError(Exception):
    """A handler's way to say: this message can never succeed, dead-letter it now."""


class TransientError(Exception):
    """A handler's way to say: a dependency is unavailable, try again later."""


class _HandlerFailed(Exception):
    """Which message's handler failed inside a batch, so its one-at-a-time retry counts that try."""

    def __init__(self, item: _Item, error: Exception) -> None:
        super().__init__(repr(error))
        self.item = item
        self.error = error


class _StopRequested(Exception):
    """Shutdown arrived while a message was waiting on a transient failure: leave it uncommitted."""


def inbox_indexes() -> list[IndexSpec]:
    return [
        IndexSpec(
            INBOX, (IndexModel([("processed_at", ASCENDING)], name="inbox_ttl", expireAfterSeconds=INBOX_RETENTION_S),)
        )
    ]


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TransientError | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, PyMongoError):
        return is_transient_mongo_error(exc)
    return isinstance(exc, KafkaError) and exc.retriable


@dataclass
class _Item:
    record: ConsumerRecord
    envelope: Envelope | None = None
    skip: bool = False  # no handler for this type, or already processed

    @property
    def handled(self) -> bool:
        return self.envelope is not None and not self.skip


class ConsumerRunner:
    def __init__(
        self,
        db: AsyncDatabase,
        *,
        service: str,
        group_id: str,
        kafka: KafkaConnection | str,
        topics: Sequence[str],
        handlers: dict[str, Handler],
        producer_factory: Callable[[], AIOKafkaProducer],
        batch_size: int = 500,
        max_attempts: int = 3,
        backoff_initial_s: float = 0.2,
        backoff_max_s: float = 30.0,
    ) -> None:
        self.db = db
        self.service = service
        self.group_id = group_id
        self.kafka = connection(kafka)
        self.topics = list(topics)
        self.handlers = handlers
        self.producer_factory = producer_factory
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.uow = UnitOfWork(db, f"/hub/{service}")
        self.dlt = dlt_topic(service)
        self._processing = asyncio.Lock()
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; the batch in hand is finished and committed first."""
        backoff = self.backoff_initial_s
        while not stop.is_set():
            try:
                await self._start()
                backoff = self.backoff_initial_s
                await self._consume(stop)
            except _StopRequested:
                break
            except (KafkaError, OSError) as exc:
                log.warning("consumer cannot reach kafka; will retry", error=repr(exc), retry_in_s=backoff)
                await self._close()
                await sleep_unless(stop, backoff)
                backoff = min(backoff * 2, self.backoff_max_s)
        await self._close()

    async def _start(self) -> None:
        if self._consumer is not None:
            return
        consumer = AIOKafkaConsumer(
            **self.kafka.options(),
            group_id=self.group_id,
            client_id=f"{self.group_id}-consumer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=self.batch_size,
            session_timeout_ms=10_000,
            heartbeat_interval_ms=1_000,
            max_poll_interval_ms=600_000,
        )
        consumer.subscribe(self.topics, listener=_FinishBatchBeforeRevoke(self._processing))
        producer = self.producer_factory()
        try:
            await consumer.start()
            await producer.start()
        except BaseException:
            with contextlib.suppress(Exception):
                await consumer.stop()
            with contextlib.suppress(Exception):
                await producer.stop()
            raise
        self._consumer, self._producer = consumer, producer
        log.info("consumer started", group=self.group_id, topics=self.topics)

    async def _close(self) -> None:
        consumer, self._consumer = self._consumer, None
        producer, self._producer = self._producer, None
        if consumer is not None:
            with contextlib.suppress(Exception):
                await consumer.stop()
        if producer is not None:
            with contextlib.suppress(Exception):
                await producer.stop()

    async def _consume(self, stop: asyncio.Event) -> None:
        assert self._consumer is not None
        while not stop.is_set():
            batches = await self._next_batch()
            if not batches:
                continue
            async with self._processing:
                started = time.perf_counter()
                records = [record for partition_records in batches.values() for record in partition_records]
                await self._process_until_stored(records, stop)
                await self._commit(batches)
                metrics.CONSUMER_BATCH_SECONDS.labels(self.service).observe(time.perf_counter() - started)

    async def _next_batch(self) -> dict[TopicPartition, list[ConsumerRecord]]:
        """Up to ``batch_size`` records, where every partition with records in hand gets a share first.

        aiokafka hands out what it has fetched partition by partition in a fixed order, so a backlog on
        one topic would hold back every other topic (a contact, a sign-in link) until a whole fetch of
        the backlog had been processed.
        """
        assert self._consumer is not None
        partitions = sorted(self._consumer.assignment())
        share = max(1, self.batch_size // max(1, len(partitions)))
        batches: dict[TopicPartition, list[ConsumerRecord]] = {}

        def add(fetched: dict[TopicPartition, list[ConsumerRecord]]) -> None:
            for tp, records in fetched.items():
                batches.setdefault(tp, []).extend(records)

        for tp in partitions:
            add(await self._consumer.getmany(tp, timeout_ms=0, max_records=share))
        room = self.batch_size - sum(len(records) for records in batches.values())
        if room > 0:  # the rest from wherever there is more, waiting a little only when there was nothing
            add(await self._consumer.getmany(timeout_ms=0 if batches else 500, max_records=room))
        return batches

    async def _process_until_stored(self, records: list[ConsumerRecord], stop: asyncio.Event) -> None:
        """Process a batch, retrying it whole while the database is unreachable (effects are idempotent)."""
        backoff = self.backoff_initial_s
        while True:
            try:
                await self.process(records, stop)
                return
            except Exception as exc:
                if not is_transient(exc) or isinstance(exc, KafkaError):
                    raise
                if stop.is_set():
                    raise _StopRequested from exc
                log.warning("database unavailable; retrying the batch", error=repr(exc), retry_in_s=backoff)
                await sleep_unless(stop, backoff)
                backoff = min(backoff * 2, self.backoff_max_s)

    async def _commit(self, batches: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        assert self._consumer is not None
        offsets = {tp: records[-1].offset + 1 for tp, records in batches.items() if records}
        for tp, committed in offsets.items():
            highwater = self._consumer.highwater(tp)
            if highwater is not None:
                metrics.CONSUMER_LAG.labels(self.service, tp.topic, str(tp.partition)).set(
                    max(0, highwater - committed)
                )
        try:
            await self._consumer.commit(offsets)
        except CommitFailedError as exc:
            # The group rebalanced; the new owner may see these again, and the inbox drops them.
            log.warning("offset commit failed after rebalance", error=repr(exc))

    # -- processing ----------------------------------------------------------------------------

    async def process(self, records: Sequence[ConsumerRecord], stop: asyncio.Event | None = None) -> None:
        """Store the effects of ``records`` exactly once; dead-letter those that can never succeed."""
        stop = stop or asyncio.Event()
        items = [_Item(record) for record in records]
        for item in items:
            await self._decode(item)
        await self._skip_already_processed(items)
        todo = [item for item in items if item.handled]
        if not todo:
            return
        failed: _HandlerFailed | None = None
        try:
            await self._run_handlers(todo)
            self._count(todo, "processed")
            return
        except _HandlerFailed as exc:
            failed = exc
            log.info("batch failed; processing messages one at a time", error=repr(exc.error), size=len(todo))
        except Exception as exc:  # e.g. the commit failed: isolate message by message
            log.info("batch failed; processing messages one at a time", error=repr(exc), size=len(todo))
        for item in todo:
            first_error = failed.error if failed is not None and failed.item is item else None
            await self._process_one(item, stop, first_error)

    async def _decode(self, item: _Item) -> None:
        record = item.record
        event_type = event_type_of(record.headers)
        if event_type is not None and event_type not in self.handlers:
            item.skip = True  # a type this service does not act on
            metrics.EVENTS_CONSUMED.labels(self.service, event_type, "ignored").inc()
            return
        try:
            item.envelope = decode(record.headers, record.key, record.value)
        except InvalidEvent as exc:
            await self._dead_letter(record, exc)

    async def _skip_already_processed(self, items: list[_Item]) -> None:
        seen: set[str] = set()
        for item in items:
            if item.handled:
                key = item.envelope.dedupe_key
                if key in seen:
                    item.skip = True  # the same event twice in one batch
                seen.add(key)
        keys = [item.envelope.dedupe_key for item in items if item.handled]
        if not keys:
            return
        done = {doc["_id"] async for doc in self.db[INBOX].find({"_id": {"$in": keys}}, {"_id": 1})}
        for item in items:
            if item.handled and item.envelope.dedupe_key in done:
                item.skip = True
                metrics.EVENTS_CONSUMED.labels(self.service, item.envelope.type, "duplicate").inc()

    async def _run_handlers(self, items: list[_Item]) -> None:
        async def work(tx: Transaction) -> None:
            for item in items:
                await self._handle(item, tx)
            await tx.collection(INBOX).insert_many([_inbox_record(item) for item in items], session=tx.session)

        await self.uow.run(work)

    async def _handle(self, item: _Item, tx: Transaction) -> None:
        envelope = item.envelope
        trace = parse_traceparent(envelope.traceparent) or new_trace()
        token = set_current_trace(trace)
        try:
            await self.handlers[envelope.type](envelope, tx)
        except Exception as exc:
            raise _HandlerFailed(item, exc) from exc
        finally:
            reset_current_trace(token)

    async def _process_one(self, item: _Item, stop: asyncio.Event, first_error: Exception | None = None) -> None:
        """Process one message on its own; ``first_error`` is what its handler raised in the batch."""
        attempts = 0
        backoff = self.backoff_initial_s
        error: BaseException | None = first_error
        while True:
            if error is None:
                error = await self._try_alone(item)
                if error is None:
                    return
            kind = "transient" if is_transient(error) else "error"
            metrics.HANDLER_FAILURES.labels(self.service, item.envelope.type, kind).inc()
            if is_transient(error):
                if stop.is_set():
                    raise _StopRequested from error
                log.warning("transient failure; retrying", type=item.envelope.type, error=repr(error))
            else:
                attempts += 1
                if isinstance(error, PermanentError) or attempts >= self.max_attempts:
                    await self._dead_letter(item.record, error)
                    self._count([item], "dead_lettered")
                    return
                log.warning("handler failed; retrying", type=item.envelope.type, attempt=attempts, error=repr(error))
            await sleep_unless(stop, backoff)
            backoff = min(backoff * 2, self.backoff_max_s)
            error = None

    async def _try_alone(self, item: _Item) -> BaseException | None:
        """Run one message's handler in its own transaction; the error, or None once stored."""
        try:
            await self._run_handlers([item])
        except _HandlerFailed as exc:
            return exc.error
        except DuplicateKeyError as exc:
            if not await self._already_processed(item):
                return exc
            self._count([item], "duplicate")
            return None
        except Exception as exc:
            return exc
        self._count([item], "processed")
        return None

    async def _already_processed(self, item: _Item) -> bool:
        return await self.db[INBOX].find_one({"_id": item.envelope.dedupe_key}, {"_id": 1}) is not None

    async def _dead_letter(self, record: ConsumerRecord, error: BaseException) -> None:
        headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith("hub_dlt_")]
        headers += [
            ("hub_dlt_error", _truncate(str(error) or repr(error)).encode()),
            ("hub_dlt_error_type", type(error).__name__.encode()),
            ("hub_dlt_origin_topic", record.topic.encode()),
            ("hub_dlt_origin_partition", str(record.partition).encode()),
            ("hub_dlt_origin_offset", str(record.offset).encode()),
            ("hub_dlt_consumer_group", self.group_id.encode()),
            ("hub_dlt_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        assert self._producer is not None, "the runner's producer starts with the consumer"
        await self._producer.send_and_wait(self.dlt, record.value, key=record.key, headers=headers)
        metrics.EVENTS_DEAD_LETTERED.labels(self.service, record.topic).inc()
        log.error(
            "message dead-lettered",
            origin_topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error=str(error),
            dlt=self.dlt,
        )

    def _count(self, items: list[_Item], outcome: str) -> None:
        for item in items:
            metrics.EVENTS_CONSUMED.labels(self.service, item.envelope.type, outcome).inc()


class _FinishBatchBeforeRevoke(ConsumerRebalanceListener):
    """On rebalance, wait until the batch in hand is stored and committed before letting go."""

    def __init__(self, processing: asyncio.Lock) -> None:
        self.processing = processing

    async def on_partitions_revoked(self, revoked: Any) -> None:
        async with self.processing:
            pass

    async def on_partitions_assigned(self, assigned: Any) -> None:
        log.info("partitions assigned", partitions=sorted(f"{tp.topic}[{tp.partition}]" for tp in assigned))


def _inbox_record(item: _Item) -> dict[str, Any]:
    return {
        "_id": item.envelope.dedupe_key,
        "type": item.envelope.type,
        "topic": item.record.topic,
        "partition": item.record.partition,
        "offset": item.record.offset,
        # When the producer sent it (Kafka's record time): with processed_at, how long it waited.
        "published_at": datetime.fromtimestamp(item.record.timestamp / 1000, UTC),
        "processed_at": datetime.now(UTC),
    }


def _truncate(text: str, limit: int = 2000) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."

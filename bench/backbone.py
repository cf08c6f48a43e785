"""Backbone throughput: outbox -> Kafka -> consumer, against a raw Kafka ceiling and a hand-written loop.

From ONE run on the same broker and database it prints events/s for:

(a) raw   raw aiokafka produce+consume of N events (acks=all, idempotent producer, the same
          CloudEvents headers and payload bytes as (b) and (c)): the ceiling;
(b) loop  a minimal hand-written loop doing the durable steps ONE EVENT AT A TIME with plain
          aiokafka + pymongo: Mongo transaction (state doc + outbox doc), send_and_wait, mark
          sent; consumer: per message a Mongo transaction (effect doc + dedupe doc), then commit
          the offset;
(c) backbone  the same work through hub_common: ``UnitOfWork.run`` (state doc + ``tx.publish``),
          ``OutboxRelay`` and ``ConsumerRunner`` with a handler storing the effect doc.

(b) and (c) are measured end to end, from the first write until all N effects are stored in
MongoDB; their write side runs ``--writers`` concurrent writers while the relay and consumer run.
See bench/README.md for the method.

    uv run python bench/backbone.py --events 2000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from hub_common import envelope, mongo
from hub_common.consumer import ConsumerRunner, inbox_indexes
from hub_common.contracts import dlt_topic, event_contract
from hub_common.contracts.contacts import VolunteerContactUpserted
from hub_common.envelope import Envelope
from hub_common.kafka import create_producer, ensure_topics
from hub_common.logging import configure_logging
from hub_common.relay import OutboxRelay
from hub_common.settings import HubSettings
from hub_common.uow import Transaction, UnitOfWork, backbone_indexes

DEFAULT_EVENTS = 2000
DEFAULT_WRITERS = 8
PARTITIONS = 3
SOURCE = "/hub/volunteers"
# A bench-only contact type (same fields as VolunteerContactUpserted), registered in this process
# only, so the outbox records the backbone writes name a bench-only topic (see README.md).
BENCH_TYPE = "hub.volunteers.bench_contact.upserted.v1"
# How often the in-process progress hint is checked, then (once it says all effects were handled)
# how often the effect collection is counted: the DB count is what ends the clock.
HINT_POLL_S = 0.005
CONFIRM_POLL_S = 0.01


class BenchContactUpserted(VolunteerContactUpserted):
    """A volunteer contact upsert written by the benchmark (bench-only topic)."""


@dataclass
class Result:
    figure: str
    events: int
    seconds: float
    writes_seconds: float | None = None

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class Run:
    run_id: str
    kafka: str
    mongo_uri: str
    events: int
    writers: int
    timeout_s: float
    db_name: str
    topics: dict[str, str]

    @property
    def consumer_service(self) -> str:
        """The (c) consumer's service name; its DLT is ``hub.<this>.dlt``, a bench-only topic."""
        return f"bench.{self.run_id}"

    def person_id(self, figure: str, i: int | str) -> str:
        return f"bench-{self.run_id}-{figure}-{i}"

    def payload(self, figure: str, i: int | str) -> BenchContactUpserted:
        return BenchContactUpserted(
            person_id=self.person_id(figure, i),
            display_name=f"Bench Volunteer {i}",
            email=f"volunteer{i}@example.org",
            phone="+44 7700 900123",
            language="en",
            hub_ids=["hub-north"],
            consented_channels=["email", "sms"],
        )

    def is_ours(self, person_id: str, figure: str) -> bool:
        return person_id.startswith(f"bench-{self.run_id}-{figure}-")


# -- shared helpers ------------------------------------------------------------------------------


class Progress:
    """In-process hint of how many distinct effects were handled (the DB count confirms it)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def mark(self, key: str) -> None:
        self.seen.add(key)


async def wait_for_effects(
    effects: AsyncCollection, progress: Progress, target: int, timeout_s: float, tasks: list[asyncio.Task]
) -> float:
    """Return the clock time at which ``target`` effect docs are stored.

    Counting a collection costs SecantusDB ~10 ms per thousand docs, so polling the count all the
    time would steal the database from the pipeline being measured. Wait for the in-process hint
    (handlers that ran, committed or not) and then poll the real count every few milliseconds.
    A failed writer, relay or consumer task ends the wait with its error.
    """
    deadline = time.perf_counter() + timeout_s
    while len(progress.seen) < target:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"only {len(progress.seen)}/{target} effects handled after {timeout_s:.0f}s")
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise RuntimeError(f"{task.get_name()} failed") from task.exception()
        await asyncio.sleep(HINT_POLL_S)
    while True:
        stored = await effects.count_documents({})
        if stored >= target:
            return time.perf_counter()
        if time.perf_counter() > deadline:
            raise TimeoutError(f"only {stored}/{target} effects stored after {timeout_s:.0f}s")
        await asyncio.sleep(CONFIRM_POLL_S)


async def run_writers(writers: int, indexes: list[int], write: Callable[[int], Awaitable[None]]) -> float:
    """``writers`` tasks share the work list, each doing one write at a time; return when all were done."""
    todo = iter(indexes)

    async def writer() -> None:
        for i in todo:
            await write(i)

    await asyncio.gather(*(writer() for _ in range(writers)))
    return time.perf_counter()


async def stop_tasks(stop: asyncio.Event, tasks: list[asyncio.Task], timeout_s: float = 30.0) -> None:
    stop.set()
    _done, pending = await asyncio.wait(tasks, timeout=timeout_s)
    for task in pending:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            raise result


def state_doc(run: Run, data: BenchContactUpserted) -> dict[str, Any]:
    return {
        "_id": data.person_id,
        "run": run.run_id,
        "display_name": data.display_name,
        "email": data.email,
        "updated_at": datetime.now(UTC),
    }


def effect_doc(run: Run, person_id: str, dedupe_key: str) -> dict[str, Any]:
    return {"_id": person_id, "run": run.run_id, "event": dedupe_key, "stored_at": datetime.now(UTC)}


PRODUCER_OPTIONS: dict[str, Any] = {"acks": "all", "enable_idempotence": True}


# -- (a) raw aiokafka ------------------------------------------------------------------------------


async def bench_raw(run: Run) -> Result:
    """Produce N pipelined CloudEvents messages and consume them; commit offsets per batch."""
    topic = run.topics["raw"]
    records = [
        envelope.encode(
            topic=topic,
            event_id=str(uuid.uuid4()),
            source=SOURCE,
            event_type=BENCH_TYPE,
            time=datetime.now(UTC),
            subject=run.person_id("raw", i),
            data=run.payload("raw", i).model_dump(mode="json"),
        )
        for i in ["warmup", *range(run.events)]
    ]
    # The same batching the backbone's producer uses (hub_common.kafka.create_producer).
    producer = AIOKafkaProducer(
        bootstrap_servers=run.kafka, linger_ms=5, max_batch_size=1024 * 1024, **PRODUCER_OPTIONS
    )
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=run.kafka,
        group_id=f"hub-bench-{run.run_id}-raw",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await producer.start()
    await consumer.start()
    try:

        async def consume(target: int) -> None:
            got = 0
            deadline = time.perf_counter() + run.timeout_s
            while got < target:
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"raw: consumed {got}/{target}")
                batches = await consumer.getmany(timeout_ms=500)
                for records_ in batches.values():
                    got += len(records_)
                if batches:
                    await consumer.commit({tp: rs[-1].offset + 1 for tp, rs in batches.items()})

        warm = records[0]
        await producer.send_and_wait(topic, warm.value, key=warm.key, headers=warm.headers)
        await consume(1)

        started = time.perf_counter()
        consuming = asyncio.create_task(consume(run.events))
        deliveries = [await producer.send(topic, r.value, key=r.key, headers=r.headers) for r in records[1:]]
        await asyncio.gather(*deliveries)
        produced = time.perf_counter()
        await consuming
        return Result("(a) raw aiokafka produce+consume", run.events, time.perf_counter() - started, produced - started)
    finally:
        await consumer.stop()
        await producer.stop()


# -- (b) hand-written loop, one event at a time ---------------------------------------------------


def hand_encode(topic: str, event_id: str, data: dict[str, Any], subject: str) -> tuple[bytes, bytes, list]:
    """CloudEvents binary mode written by hand: the same headers and bytes the backbone sends."""
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", event_id.encode()),
        ("ce_source", SOURCE.encode()),
        ("ce_type", BENCH_TYPE.encode()),
        ("ce_time", datetime.now(UTC).isoformat().replace("+00:00", "Z").encode()),
        ("ce_subject", subject.encode()),
        ("content-type", b"application/json"),
        ("ce_partitionkey", subject.encode()),
    ]
    value = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return subject.encode(), value, headers


async def timed_pipeline(name, run, write, effects, progress, tasks) -> Result:
    """Warm the pipeline up with one event, then time N writes until their N effects are stored."""
    await write("warmup")
    await wait_for_effects(effects, progress, 1, run.timeout_s, tasks)
    started = time.perf_counter()
    writing = asyncio.create_task(run_writers(run.writers, list(range(run.events)), write), name="writers")
    tasks.append(writing)
    done = await wait_for_effects(effects, progress, run.events + 1, run.timeout_s, tasks)
    writes = await writing - started
    return Result(name, run.events, done - started, writes)


async def bench_loop(run: Run, db: AsyncDatabase) -> Result:
    topic = run.topics["loop"]
    client = db.client
    state, outbox, effects, inbox = db["b_state"], db["b_outbox"], db["b_effects"], db["b_inbox"]
    producer = AIOKafkaProducer(bootstrap_servers=run.kafka, **PRODUCER_OPTIONS)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=run.kafka,
        group_id=f"hub-bench-{run.run_id}-loop",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    progress = Progress()
    tx_options = {"read_concern": ReadConcern("snapshot"), "write_concern": WriteConcern("majority")}

    async def write(i: int | str) -> None:
        data = run.payload("loop", i)
        event_id = str(uuid.uuid4())
        record = {
            "_id": event_id,
            "status": "pending",
            "created_at": datetime.now(UTC),
            "topic": topic,
            "type": BENCH_TYPE,
            "source": SOURCE,
            "subject": data.person_id,
            "data": data.model_dump(mode="json"),
        }

        async def store(session: AsyncClientSession) -> None:
            await state.insert_one(state_doc(run, data), session=session)
            await outbox.insert_one(record, session=session)

        async with client.start_session() as session:
            await session.with_transaction(store, **tx_options)
        key, value, headers = hand_encode(topic, event_id, record["data"], record["subject"])
        await producer.send_and_wait(topic, value, key=key, headers=headers)
        await outbox.update_one({"_id": event_id}, {"$set": {"status": "sent", "sent_at": datetime.now(UTC)}})

    async def consume(stop: asyncio.Event) -> None:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200)
            for tp, records in batches.items():
                for message in records:  # one event at a time: its own transaction and commit
                    headers = {k: v.decode() for k, v in message.headers}
                    body = json.loads(message.value)
                    dedupe = f"{headers['ce_source']}|{headers['ce_id']}"
                    person_id = body["person_id"]
                    if run.is_ours(person_id, "loop"):
                        progress.mark(person_id)

                        async def store(session: AsyncClientSession, person_id=person_id, dedupe=dedupe) -> None:
                            await effects.insert_one(effect_doc(run, person_id, dedupe), session=session)
                            await inbox.insert_one({"_id": dedupe, "processed_at": datetime.now(UTC)}, session=session)

                        try:
                            async with client.start_session() as session:
                                await session.with_transaction(store, **tx_options)
                        except DuplicateKeyError:
                            pass  # a redelivery: the effect is already stored
                    await consumer.commit({tp: message.offset + 1})

    await producer.start()
    await consumer.start()
    stop = asyncio.Event()
    tasks = [asyncio.create_task(consume(stop), name="loop-consumer")]
    try:
        return await timed_pipeline("(b) hand-written, one at a time", run, write, effects, progress, tasks)
    finally:
        await stop_tasks(stop, tasks)
        await consumer.stop()
        await producer.stop()


# -- (c) the backbone -------------------------------------------------------------------------------


async def bench_backbone(run: Run, db: AsyncDatabase) -> Result:
    settings = HubSettings(kafka_bootstrap_servers=run.kafka, mongo_uri=run.mongo_uri, mongo_db=run.db_name)
    await mongo.ensure_indexes(db, [*backbone_indexes(settings.idempotency_ttl_s), *inbox_indexes()])
    uow = UnitOfWork(db, SOURCE)
    effects = db["effects"]
    progress = Progress()

    def producer() -> AIOKafkaProducer:
        return create_producer(run.kafka, client_id="hub-bench")

    # Wired as hub_common.service.ServiceContext.relay() / .consumer() do, with the default settings.
    relay = OutboxRelay(
        db,
        service="volunteers",
        producer_factory=producer,
        batch_size=settings.outbox_batch_size,
        poll_interval_s=settings.outbox_poll_interval_s,
        lease_s=settings.outbox_lease_s,
    )

    async def on_contact(event: Envelope, tx: Transaction) -> None:
        person_id = event.data.person_id
        if not run.is_ours(person_id, "backbone"):
            return
        progress.mark(person_id)
        await tx.collection("effects").insert_one(effect_doc(run, person_id, event.dedupe_key), session=tx.session)

    consumer = ConsumerRunner(
        db,
        service=run.consumer_service,
        group_id=f"hub-bench-{run.run_id}-backbone",
        kafka=run.kafka,
        topics=[run.topics["backbone"]],
        handlers={BENCH_TYPE: on_contact},
        producer_factory=producer,
        batch_size=settings.consumer_batch_size,
        max_attempts=settings.consumer_max_attempts,
        backoff_initial_s=settings.consumer_backoff_initial_s,
        backoff_max_s=settings.consumer_backoff_max_s,
    )

    async def write(i: int | str) -> None:
        data = run.payload("backbone", i)

        async def work(tx: Transaction) -> None:
            await tx.collection("state").insert_one(state_doc(run, data), session=tx.session)
            tx.publish(data, subject=data.person_id)

        await uow.run(work)

    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(relay.run(stop), name="bench-relay"),
        asyncio.create_task(consumer.run(stop), name="bench-consumer"),
    ]
    try:
        return await timed_pipeline("(c) backbone (uow+relay+consumer)", run, write, effects, progress, tasks)
    finally:
        await stop_tasks(stop, tasks)


# A backbone event writes four documents: the state, its outbox record, the consumer's inbox record
# and the effect (plus the outbox's "sent" update).
DOCS_PER_EVENT = 4
CEILING_CHUNK = 500  # documents per insert_many transaction in the ceiling figure


async def bench_store_ceiling(run: Run, db: AsyncDatabase) -> Result:
    """The store's own ceiling on this server: the same number of documents the backbone writes
    (4 per event, of the state document's size), by insert_many in transactions of 500."""
    docs = [
        {**state_doc(run, run.payload("ceiling", i)), "_id": f"ceiling-{run.run_id}-{i}-{part}"}
        for i in range(run.events)
        for part in range(DOCS_PER_EVENT)
    ]
    collection = db["ceiling"]
    started = time.perf_counter()
    async with db.client.start_session() as session:
        for first in range(0, len(docs), CEILING_CHUNK):
            chunk = docs[first : first + CEILING_CHUNK]
            await session.with_transaction(lambda s, chunk=chunk: collection.insert_many(chunk, session=s))
    seconds = time.perf_counter() - started
    return Result("(d) store ceiling: insert_many", len(docs), seconds)


# -- main -------------------------------------------------------------------------------------------


async def delete_topics(kafka: str, topics: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka, client_id="hub-bench-cleanup")
    await admin.start()
    try:
        await admin.delete_topics(topics)
    finally:
        await admin.close()


def print_table(run: Run, results: list[Result], payload_bytes: int) -> None:
    print()
    print(
        f"backbone bench  run={run.run_id}  events={run.events}  writers={run.writers} (b, c)  "
        f"partitions={PARTITIONS}  payload={payload_bytes} B value + CloudEvents headers"
    )
    print(f"kafka={run.kafka}  mongo={run.mongo_uri}  db={run.db_name}")
    print()
    header = f"{'figure':<36} {'events':>7} {'seconds':>9} {'events/s':>10} {'writes done s':>14}"
    print(header)
    print("-" * len(header))
    for r in results:
        writes = "" if r.writes_seconds is None else f"{r.writes_seconds:.2f}"
        unit = " docs" if r.figure.startswith("(d)") else ""
        print(f"{r.figure:<36} {r.events:>7} {r.seconds:>9.2f} {r.rate:>10.1f} {writes:>14}{unit}")
    by = {r.figure[:3]: r for r in results}
    ratios = []
    if "(c)" in by and "(b)" in by:
        ratios.append(f"ratio (c)/(b) = {by['(c)'].rate / by['(b)'].rate:.3g}   (target >= 1.0)")
    if "(c)" in by and "(a)" in by:
        ratios.append(f"ratio (c)/(a) = {by['(c)'].rate / by['(a)'].rate:.3g}")
    if "(c)" in by and "(d)" in by:
        pipeline_docs = by["(c)"].rate * DOCS_PER_EVENT
        ratios.append(
            f"(c) writes {pipeline_docs:.0f} documents/s (state + outbox + inbox + effect) = "
            f"{pipeline_docs / by['(d)'].rate:.2f} of the store's ceiling {by['(d)'].rate:.0f} docs/s   (aim >= 0.5)"
        )
    print()
    for line in ratios:
        print(line)
    if ratios:
        print()
    print("seconds: (a) first send -> N consumed; (b), (c) first write -> N effects committed in MongoDB")
    print("writes done s: (a) all sends acked; (b) all N written, published and marked sent; (c) all N uow.run done")
    print("(one warm-up event went through each pipeline before the clock started)")


async def main(args: argparse.Namespace) -> int:
    event_contract(BENCH_TYPE, topic=f"hub.bench.{args.run_id}.backbone")(BenchContactUpserted)
    run = Run(
        run_id=args.run_id,
        kafka=args.kafka,
        mongo_uri=args.mongo,
        events=args.events,
        writers=args.writers,
        timeout_s=args.timeout,
        db_name=f"hub_bench_{args.run_id}",
        topics={figure: f"hub.bench.{args.run_id}.{figure}" for figure in ("raw", "loop", "backbone")},
    )
    figures = args.only or ["raw", "loop", "backbone"]
    topics = [run.topics[f] for f in figures]
    if "backbone" in figures:
        topics.append(dlt_topic(run.consumer_service))
    await ensure_topics(run.kafka, topics, partitions=PARTITIONS, replication_factor=1)
    client = mongo.create_client(run.mongo_uri, app_name="hub-bench")
    db = mongo.database(client, run.db_name)
    payload_bytes = len(run.payload("backbone", run.events - 1).model_dump_json())
    results: list[Result] = []
    try:
        for figure in figures:
            print(f"running {figure} ...", file=sys.stderr, flush=True)
            if figure == "raw":
                results.append(await bench_raw(run))
            elif figure == "loop":
                results.append(await bench_loop(run, db))
            else:
                results.append(await bench_backbone(run, db))
                print("running the store's ceiling ...", file=sys.stderr, flush=True)
                results.append(await bench_store_ceiling(run, db))
            print(f"  {results[-1].rate:.1f} events/s", file=sys.stderr, flush=True)
    finally:
        with contextlib.suppress(Exception):
            await client.drop_database(run.db_name)
        await client.close()
        with contextlib.suppress(Exception):
            await delete_topics(run.kafka, topics)
    print_table(run, results, payload_bytes)
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events", type=int, default=DEFAULT_EVENTS, help=f"events per figure (default {DEFAULT_EVENTS})"
    )
    parser.add_argument(
        "--writers",
        type=int,
        default=DEFAULT_WRITERS,
        help=f"concurrent writers in (b) and (c) (default {DEFAULT_WRITERS})",
    )
    parser.add_argument("--kafka", default=os.environ.get("HUB_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--mongo", default=os.environ.get("HUB_MONGO_URI", "mongodb://127.0.0.1:27017"))
    parser.add_argument("--timeout", type=float, default=300.0, help="give up on a figure after this many seconds")
    parser.add_argument(
        "--only", action="append", choices=["raw", "loop", "backbone"], help="run only these figures (repeatable)"
    )
    parser.add_argument("--log-level", default="WARNING", help="log level of the relay and consumer (default WARNING)")
    args = parser.parse_args(argv)
    args.run_id = uuid.uuid4().hex[:8]
    return args


if __name__ == "__main__":
    arguments = parse_args()
    configure_logging("bench", "console", arguments.log_level)
    sys.exit(asyncio.run(main(arguments)))

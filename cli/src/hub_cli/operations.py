"""What the ``hub`` commands do, as plain async functions (the CLI only parses and prints)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.audit import AccessAudit
from hub_common.contracts import all_topics, dlt_topic
from hub_common.kafka import KafkaConnection, connection, create_producer, describe_topics, ensure_topics
from hub_common.mongo import create_client
from hub_common.relay import pending_events
from hub_common.retention import RETENTION_RUNS
from hub_common.service import ServiceContext, ServiceDefinition
from hub_common.settings import HubSettings
from hub_common.uow import OUTBOX
from hub_notifications.adapters.channel_health import ChannelHealthRepository
from hub_notifications.adapters.messages import MessageRepository
from hub_notifications.domain.channels import ChannelHealth

DLT_HEADER_PREFIX = "hub_dlt_"
READ_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    partition: int
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]

    @property
    def ref(self) -> str:
        """Where it sits in the DLT, as ``partition:offset`` (what ``hub dlt replay --ref`` takes)."""
        return f"{self.partition}:{self.offset}"

    def header(self, name: str) -> str:
        return next((v.decode(errors="replace") for k, v in self.headers if k == name), "")

    @property
    def origin_topic(self) -> str:
        return self.header("hub_dlt_origin_topic")

    @property
    def origin_partition(self) -> str:
        return self.header("hub_dlt_origin_partition")

    @property
    def origin_offset(self) -> str:
        return self.header("hub_dlt_origin_offset")

    @property
    def error(self) -> str:
        return self.header("hub_dlt_error")

    @property
    def failed_at(self) -> str:
        return self.header("hub_dlt_failed_at")

    @property
    def event_type(self) -> str:
        return self.header("ce_type")

    @property
    def original_headers(self) -> list[tuple[str, bytes]]:
        """The headers the message had before it failed (the DLT's own are dropped)."""
        return [(k, v) for k, v in self.headers if not k.startswith(DLT_HEADER_PREFIX)]


async def create_topics(kafka: KafkaConnection | str, partitions: int, replication: int) -> list[str]:
    before = set(await describe_topics(kafka))
    await ensure_topics(
        kafka, all_topics(), partitions=partitions, replication_factor=replication, configs=HubSettings().topic_configs
    )
    return sorted(set(all_topics()) - before)


async def read_dead_letters(kafka: KafkaConnection | str, service: str, limit: int | None) -> list[DeadLetter]:
    """Everything in ``hub.<service>.dlt`` (oldest first), read without joining any group."""
    topic = dlt_topic(service)
    partitions = [TopicPartition(topic, p) for p in range((await describe_topics(kafka)).get(topic, 0))]
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(**connection(kafka).options(), enable_auto_commit=False, client_id="hub-cli-dlt")
    await consumer.start()
    letters: list[DeadLetter] = []
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        deadline = time.monotonic() + READ_TIMEOUT_S
        while remaining and time.monotonic() < deadline:
            batches = await consumer.getmany(*remaining, timeout_ms=500)
            for tp, records in batches.items():
                letters += [DeadLetter(r.offset, r.partition, r.key, r.value, list(r.headers)) for r in records]
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    letters.sort(key=lambda letter: (letter.failed_at, letter.partition, letter.offset))
    return letters if limit is None else letters[:limit]


async def replay(
    kafka: KafkaConnection | str, letters: Sequence[DeadLetter], on_sent: Callable[[], None] = lambda: None
) -> None:
    """Send each dead letter to its origin topic with its original key, value and headers."""
    producer: AIOKafkaProducer = create_producer(kafka, client_id=f"hub-cli-replay-{uuid.uuid4().hex[:6]}")
    await producer.start()
    try:
        for letter in letters:
            if not letter.origin_topic:
                continue  # not a message our consumers dead-lettered
            await producer.send_and_wait(
                letter.origin_topic, letter.value, key=letter.key, headers=letter.original_headers
            )
            on_sent()
    finally:
        await producer.stop()


async def _service_databases(
    mongo_uri: str | Mapping[str, str], services: Sequence[str]
) -> AsyncIterator[tuple[str, AsyncDatabase]]:
    """Each service's database in turn; ``mongo_uri`` is one server for all, or one per service."""
    uris = mongo_uri if isinstance(mongo_uri, Mapping) else dict.fromkeys(services, mongo_uri)
    for service in services:
        client = create_client(uris[service], app_name="hub-cli")
        try:
            yield service, client[f"hub_{service}"]
        finally:
            await client.close()


async def outbox_backlog(
    mongo_uri: str | Mapping[str, str], services: Sequence[str]
) -> dict[str, tuple[int, datetime | None]]:
    """Each service's pending events."""
    backlog = {}
    async for service, db in _service_databases(mongo_uri, services):
        pending = await pending_events(db)
        oldest = await db[OUTBOX].find_one({"status": "pending"}, sort=[("created_at", ASCENDING)])
        backlog[service] = (pending, oldest["created_at"] if oldest else None)
    return backlog


async def retention_runs(mongo_uri: str | Mapping[str, str], services: Sequence[str]) -> list[dict[str, Any]]:
    """Each service's retention rules as last applied: per kind, the latest run (what was removed,
    up to when, and when)."""
    pipeline = [
        {"$sort": {"kind": 1, "ran_at": -1}},
        {"$group": {"_id": "$kind", "latest": {"$first": "$$ROOT"}}},
        {"$sort": {"_id": 1}},
    ]
    rows = []
    async for service, db in _service_databases(mongo_uri, services):
        rows += [
            {"service": service, **group["latest"]} async for group in await db[RETENTION_RUNS].aggregate(pipeline)
        ]
    return rows


async def access_audit(
    mongo_uri: str | Mapping[str, str],
    services: Sequence[str],
    *,
    person_id: str | None = None,
    reader: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The newest reads of people's details across services (each service's ``access_audit``)."""
    rows = []
    async for service, db in _service_databases(mongo_uri, services):
        found, _ = await AccessAudit(db, service).query(person_id=person_id, reader=reader, limit=limit)
        rows += found
    return sorted(rows, key=lambda row: row["at"], reverse=True)[:limit]


async def channel_health(mongo_uri: str) -> list[tuple[ChannelHealth, int]]:
    """The notifications workers' delivery channels as they last stored them, and what waits for each."""
    client = create_client(mongo_uri, app_name="hub-cli")
    try:
        db = client["hub_notifications"]
        stored = {health.id: health for health in await ChannelHealthRepository(db).all()}
        now = datetime.now(UTC)
        # The mail server and the token issuer are always kept (an SMS provider only where configured).
        channels = [stored.pop(name, ChannelHealth.fresh(name, now)) for name in ("email", "issuer")]
        channels += stored.values()
        messages = MessageRepository(db)
        return [(h, await messages.count_held(h.id)) for h in channels]
    finally:
        await client.close()


async def consumer_lag(kafka: KafkaConnection | str, groups: Sequence[str]) -> list[tuple[str, str, int]]:
    """(group, topic, messages behind) for every topic a group has committed offsets on."""
    admin = AIOKafkaAdminClient(**connection(kafka).options(), client_id="hub-cli")
    consumer = AIOKafkaConsumer(**connection(kafka).options(), enable_auto_commit=False, client_id="hub-cli-lag")
    await admin.start()
    await consumer.start()
    try:
        rows = []
        for group in groups:
            committed = await admin.list_consumer_group_offsets(group)
            if not committed:
                continue
            ends = await consumer.end_offsets(list(committed))
            per_topic: dict[str, int] = {}
            for tp, meta in committed.items():
                per_topic[tp.topic] = per_topic.get(tp.topic, 0) + max(0, ends[tp] - max(meta.offset, 0))
            rows += [(group, topic, behind) for topic, behind in sorted(per_topic.items())]
        return rows
    finally:
        await consumer.stop()
        await admin.close()


async def seed(definition: ServiceDefinition, mongo_uri: str | None = None) -> None:
    settings = definition.settings_class(**({"mongo_uri": mongo_uri} if mongo_uri else {}))
    ctx = ServiceContext(definition, settings)
    try:
        await ctx.start()
        await definition.seed_demo_data(ctx)
    finally:
        await ctx.close()

"""Kafka clients configured the way the contract requires, and topic bootstrap."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaClient, AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from hub_common.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class KafkaConnection:
    """Where the brokers are and how to authenticate (SASL/SCRAM in production, nothing locally)."""

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    username: str | None = None
    password: str | None = None

    def options(self) -> dict[str, Any]:
        """Keyword arguments for every aiokafka client."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.sasl_mechanism:
            options.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.username,
                sasl_plain_password=self.password,
            )
        return options


def connection(value: KafkaConnection | str) -> KafkaConnection:
    """Accept a plain bootstrap string where no authentication is needed (development, tests)."""
    return value if isinstance(value, KafkaConnection) else KafkaConnection(value)


def create_producer(kafka: KafkaConnection | str, client_id: str) -> AIOKafkaProducer:
    """acks=all and idempotence: no loss and no broker-side duplicates on retries."""
    return AIOKafkaProducer(
        **connection(kafka).options(),
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_batch_size=1024 * 1024,
        request_timeout_ms=15_000,
        retry_backoff_ms=200,
    )


async def ensure_topics(
    kafka: KafkaConnection | str, topics: Iterable[str], *, partitions: int, replication_factor: int
) -> None:
    """Create the topics that are missing; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(**connection(kafka).options(), client_id="hub-topic-bootstrap")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another worker created them first
                await admin.create_topics(
                    [
                        NewTopic(name=t, num_partitions=partitions, replication_factor=replication_factor)
                        for t in missing
                    ]
                )
            log.info("topics created", topics=missing, partitions=partitions)
    finally:
        await admin.close()


async def kafka_reachable(kafka: KafkaConnection | str, timeout_s: float = 2.0) -> bool:
    client = AIOKafkaClient(**connection(kafka).options(), client_id="hub-readiness")
    try:
        await asyncio.wait_for(client.bootstrap(), timeout_s)
        return True
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await client.close()


async def describe_topics(kafka: KafkaConnection | str) -> dict[str, int]:
    """Every topic on the broker (internal ones aside) with its partition count."""
    admin = AIOKafkaAdminClient(**connection(kafka).options(), client_id="hub-admin")
    await admin.start()
    try:
        return {
            t["topic"]: len(t["partitions"]) for t in await admin.describe_topics() if not t["topic"].startswith("__")
        }
    finally:
        await admin.close()


async def start_group_at_end(kafka: KafkaConnection | str, group_id: str, topics: Iterable[str]) -> None:
    """Commit ``group_id`` at the current end of ``topics`` (those that exist): a new group then sees
    only what is published from now on, instead of every earlier event on the broker."""
    counts = await describe_topics(kafka)
    partitions = [TopicPartition(t, p) for t in topics for p in range(counts.get(t, 0))]
    if not partitions:
        return
    consumer = AIOKafkaConsumer(**connection(kafka).options(), group_id=group_id, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.commit(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()

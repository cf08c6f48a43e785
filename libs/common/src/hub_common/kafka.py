"""Kafka clients configured the way the contract requires, and topic bootstrap."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaClient, AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from hub_common.logging import get_logger

log = get_logger(__name__)

UNKNOWN_TOPIC = 3  # Kafka's UNKNOWN_TOPIC_OR_PARTITION


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
    kafka: KafkaConnection | str,
    topics: Iterable[str],
    *,
    partitions: int,
    replication_factor: int,
    configs: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Create the topics that are missing, with their ``configs``; an existing topic keeps its
    partitions, and gets the ``configs`` given for it where they differ (a deployment made before
    the contract set them converges on the next start)."""
    topics, configs = list(topics), configs or {}
    admin = AIOKafkaAdminClient(**connection(kafka).options(), client_id="hub-topic-bootstrap")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another worker created them first
                await admin.create_topics(
                    [
                        NewTopic(
                            name=t,
                            num_partitions=partitions,
                            replication_factor=replication_factor,
                            topic_configs=dict(configs.get(t, {})),
                        )
                        for t in missing
                    ]
                )
            log.info("topics created", topics=missing, partitions=partitions)
        # Also those just "created": another worker may have made one first, without these settings.
        for topic in sorted(set(topics) & set(configs)):
            await _converge_configs(admin, topic, configs[topic])
    finally:
        await admin.close()


async def topic_config(kafka: KafkaConnection | str, topic: str) -> dict[str, str]:
    """A topic's settings as the broker reports them."""
    admin = AIOKafkaAdminClient(**connection(kafka).options(), client_id="hub-admin")
    await admin.start()
    try:
        return await _described(admin, topic)
    finally:
        await admin.close()


async def _described(admin: AIOKafkaAdminClient, topic: str) -> dict[str, str]:
    # A topic created a moment ago may not be known to the broker asked yet (error 3): ask again.
    for _ in range(50):
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        # Each resource: (error code, message, type, name, entries); each entry starts (name, value, ...).
        [(code, message, _type, _name, entries)] = response.resources
        if code != UNKNOWN_TOPIC:
            break
        await asyncio.sleep(0.2)
    if code:
        raise KafkaError(f"cannot read the settings of topic {topic}: error {code} {message}")
    return {entry[0]: entry[1] for entry in entries}


async def _converge_configs(admin: AIOKafkaAdminClient, topic: str, wanted: Mapping[str, str]) -> None:
    current = await _described(admin, topic)
    if all(current.get(name) == value for name, value in wanted.items()):
        return
    # AlterConfigs sets the topic's overrides as a whole: the contract owns every one of them.
    [response] = await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs=dict(wanted))])
    [(code, message, *_)] = response.resources
    if code:
        raise KafkaError(f"cannot change the settings of topic {topic}: error {code} {message}")
    log.info("topic settings changed", topic=topic, settings=dict(wanted))


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

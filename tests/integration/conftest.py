"""Helpers for cross-service tests: read and write Kafka directly, run workers, wait for effects."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from hub_cli.operations import describe_topics
from hub_common.contracts import all_topics
from hub_common.kafka import ensure_topics
from hub_common.testing import InfraEndpoints


class KafkaTools:
    def __init__(self, bootstrap_servers: str) -> None:
        self.bootstrap_servers = bootstrap_servers

    async def ensure_contract_topics(self) -> None:
        await ensure_topics(self.bootstrap_servers, all_topics(), partitions=3, replication_factor=1)

    async def produce(self, topic: str, value: bytes, *, key: bytes | None, headers: list[tuple[str, bytes]]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap_servers, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            await producer.send_and_wait(topic, value, key=key, headers=headers)
        finally:
            await producer.stop()

    async def skip_history(self, group_id: str, topics: list[str]) -> None:
        """Commit ``group_id`` to the current end of ``topics``, so its consumer sees only new messages."""
        partitions = [
            TopicPartition(t, p)
            for t, count in (await describe_topics(self.bootstrap_servers)).items()
            if t in topics
            for p in range(count)
        ]
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers, group_id=group_id, enable_auto_commit=False
        )
        await consumer.start()
        try:
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            await consumer.commit(ends)
        finally:
            await consumer.stop()

    async def collect(
        self,
        topic: str,
        matches: Callable[[ConsumerRecord], bool],
        *,
        count: int,
        timeout_s: float = 30.0,
        settle_s: float = 0.0,
    ) -> list[ConsumerRecord]:
        """Read ``topic`` from the start until ``count`` matching records arrived (then ``settle_s`` more)."""
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=self.bootstrap_servers,
            group_id=f"t-reader-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        found: list[ConsumerRecord] = []
        deadline = time.monotonic() + timeout_s
        settle_until: float | None = None
        try:
            while time.monotonic() < deadline:
                if settle_until is not None and time.monotonic() >= settle_until:
                    break
                batches = await consumer.getmany(timeout_ms=300)
                for records in batches.values():
                    found += [r for r in records if matches(r)]
                if len(found) >= count and settle_until is None:
                    settle_until = time.monotonic() + settle_s
        finally:
            await consumer.stop()
        return found


@pytest.fixture
async def kafka(infra: InfraEndpoints) -> KafkaTools:
    tools = KafkaTools(infra.kafka_bootstrap_servers)
    await tools.ensure_contract_topics()
    return tools


@pytest.fixture
async def background() -> AsyncIterator[Callable[[Callable[[asyncio.Event], Coroutine]], asyncio.Event]]:
    """Run worker loops (relay, consumer) in the background; each gets its own stop event."""
    running: list[tuple[asyncio.Event, asyncio.Task]] = []

    def start(loop_fn: Callable[[asyncio.Event], Coroutine]) -> asyncio.Event:
        stop = asyncio.Event()
        running.append((stop, asyncio.create_task(loop_fn(stop))))
        return stop

    yield start
    for stop, _ in running:
        stop.set()
    for _, task in running:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)


async def eventually(check: Callable[[], Awaitable[Any]], *, timeout_s: float = 30.0, interval_s: float = 0.1) -> Any:
    """Poll ``check`` until it returns a truthy value; fail with the last value after the timeout."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s}s (last value: {last!r})")


@pytest.fixture
def wait_until() -> Callable[..., Awaitable[Any]]:
    return eventually

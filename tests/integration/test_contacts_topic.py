"""hub.contacts keeps no personal data of an erased person: the topic is compacted by person, and the
erased event supersedes their earlier details. Real broker, real log cleaner."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from hub_common.contracts import CONTACTS_TOPIC
from hub_common.contracts.topics import topic_configs
from hub_common.kafka import ensure_topics, topic_config

# Real settings, with the lags shortened so that the broker's cleaner gets to it in a test's time.
FAST = topic_configs(contacts_min_compaction_lag_s=0, contacts_max_compaction_lag_s=1)[CONTACTS_TOPIC]


async def test_an_erased_person_s_details_leave_the_contacts_topic_while_others_stay(kafka) -> None:
    bootstrap = kafka.bootstrap_servers
    topic = f"t-contacts-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [topic], partitions=1, replication_factor=1)  # as deployed before
    await ensure_topics(bootstrap, [topic], partitions=1, replication_factor=1, configs={topic: FAST})
    settings = await topic_config(bootstrap, topic)
    assert settings["cleanup.policy"] == "compact,delete" and settings["max.compaction.lag.ms"] == "1000"

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b'{"email": "priya@example.org", "name": "Priya"}', key=b"person-1")
        await producer.send_and_wait(topic, b'{"email": "sam@example.org", "name": "Sam"}', key=b"person-2")
        await producer.send_and_wait(topic, b'{"person_id": "person-1", "erased": true}', key=b"person-1")
        deadline = time.monotonic() + 240
        while True:
            values = await _all_values(bootstrap, topic)
            if not any(b"priya@" in v for v in values):
                break
            assert time.monotonic() < deadline, "the erased person's details are still in the topic"
            # Other people's contact events keep arriving, as they do on a running platform: Kafka
            # rolls a segment (and so lets the cleaner at it) when the next event is written.
            await producer.send_and_wait(topic, b'{"tick": true}', key=b"others")
            await asyncio.sleep(0.5)
    finally:
        await producer.stop()
    assert any(b"sam@example.org" in v for v in values)  # the latest details of everyone else stay
    assert any(b'"erased": true' in v for v in values)  # and the erasure itself, with no details


async def _all_values(bootstrap: str, topic: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        end = (await consumer.end_offsets([partition]))[partition]
        values: list[bytes] = []
        while await consumer.position(partition) < end:
            for records in (await consumer.getmany(partition, timeout_ms=500)).values():
                values += [r.value for r in records if r.value is not None]
        return values
    finally:
        await consumer.stop()

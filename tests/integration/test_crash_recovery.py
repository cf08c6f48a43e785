"""Crash recovery with real processes: kill -9 the workers mid-stream, restart them, lose nothing.

The volunteers worker (outbox relay) and the notifications worker (consumer) run as real
``python -m hub_<service> --role worker`` processes against the test broker and database
(``service_process`` in conftest.py). Each service's own consumer under a stream of events is in
test_worker_crash_streams.py.
"""

from __future__ import annotations

from collections import Counter

import pytest

from hub_common.contracts import CONTACTS_TOPIC
from hub_common.contracts.contacts import VolunteerContactUpserted
from hub_common.uow import Transaction
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_testkit.outbox import count_outbox_events
from hub_volunteers.__main__ import DEFINITION as VOLUNTEERS

pytestmark = pytest.mark.integration

EVENTS = 1200


async def test_killing_relay_and_consumer_mid_stream_loses_nothing_and_applies_each_event_once(
    service_context, kafka, service_process, wait_until, unique
):
    volunteers = await service_context(VOLUNTEERS, outbox_lease_s=3)  # a killed relay's lease expires quickly
    notifications = await service_context(NOTIFICATIONS)
    people = [f"crash{n}-{unique}" for n in range(EVENTS)]

    for start in range(0, EVENTS, 200):  # a backlog of committed events, 200 per transaction
        chunk = people[start : start + 200]

        async def register_chunk(tx: Transaction, chunk=chunk) -> None:
            for person in chunk:
                tx.publish(VolunteerContactUpserted(person_id=person, display_name=person), subject=person)

        await volunteers.uow.run(register_chunk)
    assert await count_outbox_events(volunteers.db, {"status": "pending"}) == EVENTS

    # Only this test's events matter: the group starts at the end of what earlier tests left.
    await kafka.skip_history(notifications.settings.consumer_group, list(NOTIFICATIONS.consumes))
    inbox = notifications.db["inbox"]
    ours = {"_id": {"$regex": "^/hub/volunteers\\|"}}
    relay = service_process("volunteers", volunteers.settings)
    consumer = service_process("notifications", notifications.settings)
    await wait_until(lambda: _at_least(notifications.db["contacts"], unique, EVENTS // 4), timeout_s=120)
    relay.kill()
    consumer.kill()  # both die mid-stream, with no chance to commit or mark anything
    done_before_restart = await _count(notifications.db["contacts"], unique)
    assert done_before_restart < EVENTS, "the crash came too late to test anything"

    service_process("volunteers", volunteers.settings)
    service_process("notifications", notifications.settings)
    await wait_until(lambda: _at_least(notifications.db["contacts"], unique, EVENTS), timeout_s=180)

    assert await _count(notifications.db["contacts"], unique) == EVENTS
    assert await count_outbox_events(volunteers.db, {"status": "pending"}) == 0
    processed = await inbox.count_documents(ours)
    assert processed >= EVENTS  # one dedupe record per event (others' events may share the topic)
    published = await kafka.collect(
        CONTACTS_TOPIC, lambda r: r.key.decode().endswith(unique), count=EVENTS, timeout_s=60, settle_s=1.0
    )
    per_event = Counter(dict(r.headers)["ce_id"] for r in published)
    assert len(per_event) == EVENTS  # every event reached Kafka; repeats after the crash are allowed
    for person in people[:: EVENTS // 10]:  # and the last event per person is what the book holds
        contact = await notifications.db["contacts"].find_one({"_id": person})
        assert contact["display_name"] == person


async def _count(collection, unique: str) -> int:
    return await collection.count_documents({"_id": {"$regex": f"-{unique}$"}})


async def _at_least(collection, unique: str, n: int) -> bool:
    return await _count(collection, unique) >= n

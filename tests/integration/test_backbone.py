"""The event backbone against the real Kafka broker and MongoDB server.

A volunteers-service unit of work publishes through its outbox and relay; the notifications
service's consumer runner (with its real contact-book handlers) stores the effect.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from prometheus_client import REGISTRY

from hub_common import envelope
from hub_common.consumer import Handler, PermanentError, TransientError
from hub_common.contracts import CONTACTS_TOPIC, dlt_topic, events_topic
from hub_common.contracts.contacts import VolunteerContactUpserted
from hub_common.envelope import Envelope
from hub_common.tracing import new_trace, reset_current_trace, set_current_trace
from hub_common.uow import Transaction
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_notifications.adapters.contacts import ContactRepository
from hub_testkit.events import cloud_event, issue_reported_record
from hub_testkit.outbox import count_outbox_events
from hub_volunteers.__main__ import DEFINITION as VOLUNTEERS

pytestmark = pytest.mark.integration

UPSERTED = "hub.volunteers.contact.upserted.v1"


def header(record, name: str) -> str | None:
    return next((v.decode() for k, v in record.headers if k == name), None)


def counted(handlers: dict[str, Handler], effects) -> dict[str, Handler]:
    """Wrap handlers so each applied effect also bumps a counter in the same transaction."""

    def wrap(handler: Handler) -> Handler:
        async def counting(event: Envelope, tx: Transaction) -> None:
            await handler(event, tx)
            await effects.update_one({"_id": event.id}, {"$inc": {"n": 1}}, upsert=True, session=tx.session)

        return counting

    return {event_type: wrap(h) for event_type, h in handlers.items()}


async def register_volunteer(ctx, person_id: str, name: str, *, hub_id: str | None = None) -> str:
    """A stand-in use case: save a volunteer and announce their contact details, atomically."""

    async def work(tx: Transaction) -> str:
        await tx.collection("volunteers").update_one(
            {"_id": person_id}, {"$set": {"name": name}}, upsert=True, session=tx.session
        )
        return tx.publish(
            VolunteerContactUpserted(person_id=person_id, display_name=name, email=f"{person_id}@example.org"),
            subject=person_id,
            hub_id=hub_id,
        )

    return await ctx.uow.run(work)


async def test_event_reaches_another_service_exactly_once_even_when_delivered_twice(
    service_context, kafka, background, wait_until, unique
):
    volunteers = await service_context(VOLUNTEERS)
    notifications = await service_context(NOTIFICATIONS)
    # Only what this test sends: the shared test broker keeps every earlier test's contacts.
    await kafka.skip_history(notifications.settings.consumer_group, list(NOTIFICATIONS.consumes))
    effects = notifications.db["test_effects"]
    book = ContactRepository(notifications.db)
    person = f"vol-{unique}"

    first_id = await register_volunteer(volunteers, person, "Ada Lovelace")
    background(volunteers.relay().run)
    runner = notifications.consumer(counted(notifications.components.handlers, effects))
    background(runner.run)

    contact = await wait_until(lambda: book.find(person))
    assert contact.display_name == "Ada Lovelace"
    assert contact.email == f"{person}@example.org"
    assert contact.source == "/hub/volunteers"

    # Deliver the very same Kafka message again, then a newer event for the same person (same
    # key, so same partition: once the newer one is applied, the duplicate has been read).
    [published] = await kafka.collect(CONTACTS_TOPIC, lambda r: header(r, "ce_id") == first_id, count=1)
    await kafka.produce(CONTACTS_TOPIC, published.value, key=published.key, headers=list(published.headers))
    await register_volunteer(volunteers, person, "Ada King")
    await wait_until(lambda: _name_is(book, person, "Ada King"))

    assert (await effects.find_one({"_id": first_id}))["n"] == 1
    assert await notifications.db["inbox"].count_documents({"_id": f"/hub/volunteers|{first_id}"}) == 1
    assert await count_outbox_events(volunteers.db, {"subject": person, "status": "pending"}) == 0

    published = REGISTRY.get_sample_value(
        "hub_events_published_total", {"service": "volunteers", "topic": CONTACTS_TOPIC, "type": UPSERTED}
    )
    duplicates = REGISTRY.get_sample_value(
        "hub_events_consumed_total", {"service": "notifications", "type": UPSERTED, "outcome": "duplicate"}
    )
    assert published >= 2 and duplicates >= 1
    lag = [s for m in REGISTRY.collect() if m.name == "hub_consumer_lag" for s in m.samples]
    assert any(s.labels["topic"] == CONTACTS_TOPIC and s.labels["service"] == "notifications" for s in lag)


async def _name_is(book: ContactRepository, person: str, name: str) -> bool:
    contact = await book.find(person)
    return contact is not None and contact.display_name == name


async def test_invalid_message_goes_to_dlt_with_its_error_and_the_consumer_keeps_going(
    service_context, kafka, background, wait_until, unique
):
    notifications = await service_context(NOTIFICATIONS)
    # Only what this test sends: the shared test broker keeps every earlier test's contacts.
    await kafka.skip_history(notifications.settings.consumer_group, list(NOTIFICATIONS.consumes))
    book = ContactRepository(notifications.db)
    poison_id = str(uuid.uuid4())
    poison = envelope.encode(
        topic=CONTACTS_TOPIC,
        event_id=poison_id,
        source="/hub/volunteers",
        event_type=UPSERTED,
        time=datetime.now(UTC),
        subject=f"poison-{unique}",
        data={"person_id": f"poison-{unique}", "email": "not-an-email"},  # no display_name, bad email
    )
    await kafka.produce(CONTACTS_TOPIC, poison.value, key=poison.key, headers=poison.headers)
    good = f"good-{unique}"
    volunteers = await service_context(VOLUNTEERS)
    await register_volunteer(volunteers, good, "Grace Hopper")

    background(volunteers.relay().run)
    background(notifications.consumer().run)

    assert await wait_until(lambda: book.find(good))
    assert await book.find(f"poison-{unique}") is None
    [dead] = await kafka.collect(
        dlt_topic("notifications"), lambda r: header(r, "ce_id") == poison_id, count=1, timeout_s=30
    )
    assert header(dead, "hub_dlt_origin_topic") == CONTACTS_TOPIC
    assert header(dead, "hub_dlt_error_type") == "InvalidEvent"
    assert "display_name" in header(dead, "hub_dlt_error")
    assert "email" in header(dead, "hub_dlt_error")
    assert header(dead, "hub_dlt_consumer_group") == notifications.settings.consumer_group
    assert int(header(dead, "hub_dlt_origin_offset")) >= 0
    assert dead.value == poison.value and dead.key == poison.key


async def test_handler_failures_retry_then_dead_letter_while_transient_errors_only_delay(
    service_context, kafka, background, wait_until, unique
):
    volunteers = await service_context(VOLUNTEERS)
    notifications = await service_context(NOTIFICATIONS)
    # Only what this test sends: the shared test broker keeps every earlier test's contacts.
    await kafka.skip_history(notifications.settings.consumer_group, list(NOTIFICATIONS.consumes))
    calls: Counter[str] = Counter()
    done = notifications.db["test_done"]

    async def flaky(event: Envelope, tx: Transaction) -> None:
        person = event.data.person_id
        if not person.endswith(unique):
            return  # other tests' events on the shared topic
        calls[person] += 1
        if person.startswith("permanent"):
            raise PermanentError("this person can never be stored")
        if person.startswith("broken") and calls[person] <= 10:
            raise RuntimeError("a bug in the handler")
        if person.startswith("transient") and calls[person] <= 2:
            raise TransientError("dependency briefly unavailable")
        await done.insert_one({"_id": person}, session=tx.session)

    for prefix in ("permanent", "broken", "transient", "fine"):
        await register_volunteer(volunteers, f"{prefix}-{unique}", prefix)
    background(volunteers.relay().run)
    background(notifications.consumer({UPSERTED: flaky}).run)

    await wait_until(lambda: done.count_documents({"_id": {"$in": [f"transient-{unique}", f"fine-{unique}"]}}))
    await wait_until(lambda: _count_is(done, {"_id": {"$in": [f"transient-{unique}", f"fine-{unique}"]}}, 2))
    dead = await kafka.collect(
        dlt_topic("notifications"),
        lambda r: (header(r, "ce_subject") or "").endswith(unique),
        count=2,
        settle_s=1.0,
    )
    assert sorted(header(r, "ce_subject").split("-")[0] for r in dead) == ["broken", "permanent"]
    assert calls[f"permanent-{unique}"] == 1  # a PermanentError is not retried
    assert calls[f"broken-{unique}"] == notifications.settings.consumer_max_attempts
    assert calls[f"transient-{unique}"] == 3  # two transient failures, then success; never dead-lettered
    assert await done.count_documents({"_id": {"$in": [f"permanent-{unique}", f"broken-{unique}"]}}) == 0


async def _no_outbox_events(db, query) -> bool:
    return await count_outbox_events(db, query) == 0


async def _count_is(collection, query, expected: int) -> bool:
    return await collection.count_documents(query) == expected


async def test_nothing_is_published_when_the_transaction_aborts(service_context, kafka, unique):
    volunteers = await service_context(VOLUNTEERS)
    person = f"aborted-{unique}"

    async def work(tx: Transaction) -> None:
        await tx.collection("volunteers").insert_one({"_id": person}, session=tx.session)
        tx.publish(VolunteerContactUpserted(person_id=person, display_name="Never"), subject=person)
        raise ValueError("the use case changed its mind")

    with pytest.raises(ValueError, match="changed its mind"):
        await volunteers.uow.run(work)

    assert await volunteers.db["volunteers"].count_documents({"_id": person}) == 0
    assert await count_outbox_events(volunteers.db, {}) == 0
    assert await volunteers.relay().publish_batch() == 0
    published = await kafka.collect(CONTACTS_TOPIC, lambda r: header(r, "ce_subject") == person, count=1, timeout_s=3)
    assert published == []


async def test_published_events_are_valid_cloudevents_with_the_contract_headers(service_context, kafka, unique):
    volunteers = await service_context(VOLUNTEERS)
    person = f"ce-{unique}"
    trace = new_trace()
    token = set_current_trace(trace)
    try:
        event_id = await register_volunteer(volunteers, person, "Mary Seacole", hub_id="hub-north")
    finally:
        reset_current_trace(token)
    assert await volunteers.relay().publish_batch() >= 1

    [record] = await kafka.collect(CONTACTS_TOPIC, lambda r: header(r, "ce_id") == event_id, count=1)
    names = {name for name, _ in record.headers}
    assert {
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "content-type",
        "ce_partitionkey",
        "ce_traceparent",
        "ce_hubid",
    } <= names
    assert record.key == person.encode()

    event = ce_kafka.from_binary_event(
        ce_kafka.KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)
    )
    assert event.get_specversion() == "1.0"
    assert str(uuid.UUID(event.get_id())) == event_id
    assert event.get_source() == "/hub/volunteers"
    assert event.get_type() == UPSERTED
    assert event.get_subject() == person
    assert event.get_time().tzinfo is not None
    assert event.get_datacontenttype() == "application/json"
    assert event.get_extension("partitionkey") == person
    assert event.get_extension("hubid") == "hub-north"
    assert event.get_extension("traceparent").split("-")[1] == trace.trace_id
    assert event.get_data()["display_name"] == "Mary Seacole"
    assert json.loads(record.value)["person_id"] == person


async def test_two_relays_publish_each_event_once_in_order_per_aggregate(service_context, kafka, background, unique):
    volunteers = await service_context(VOLUNTEERS)
    people = [f"order{i}-{unique}" for i in range(4)]
    ids = []
    for n in range(30):
        for person in people:
            ids.append(await register_volunteer(volunteers, person, f"name {n:03d}"))

    background(volunteers.relay().run)
    background(volunteers.relay().run)

    wanted = set(ids)
    records = await kafka.collect(
        CONTACTS_TOPIC, lambda r: header(r, "ce_id") in wanted, count=len(ids), timeout_s=60, settle_s=2.0
    )
    published = Counter(header(r, "ce_id") for r in records)
    assert set(published) == wanted
    assert max(published.values()) == 1, "an event was published twice"
    for person in people:
        names = [json.loads(r.value)["display_name"] for r in records if r.key == person.encode()]
        assert names == [f"name {n:03d}" for n in range(30)]


async def test_a_transactions_events_are_written_as_few_records_and_published_in_order(service_context, kafka, unique):
    """One insert (and, once published, one delete) per hundred events of a transaction, not one each;
    a record written in the earlier one-event shape is published too."""
    volunteers = await service_context(VOLUNTEERS)
    people = [f"batch{i}-{unique}" for i in range(3)]

    async def work(tx: Transaction) -> list[str]:
        return [
            tx.publish(VolunteerContactUpserted(person_id=p, display_name=f"name {n:03d}"), subject=p)
            for n in range(84)
            for p in people
        ]

    ids = await volunteers.uow.run(work)
    legacy = str(uuid.uuid4())
    await volunteers.db["outbox"].insert_one(
        {
            "_id": legacy,
            "status": "pending",
            "created_at": datetime.now(UTC),
            "seq": 0,
            "topic": CONTACTS_TOPIC,
            "type": UPSERTED,
            "source": "/hub/volunteers",
            "subject": people[0],
            "data": {"person_id": people[0], "display_name": "written before"},
        }
    )
    records = await volunteers.db["outbox"].find({"_id": {"$ne": legacy}}).to_list()
    assert sorted(len(r["events"]) for r in records) == [52, 100, 100]
    assert await volunteers.relay().backlog() == 253

    relay = volunteers.relay()
    relay.batch_size = 60  # smaller than a record: a record still goes whole
    while await relay.publish_batch():
        pass
    assert await volunteers.db["outbox"].count_documents({}) == 0
    wanted = {*ids, legacy}
    published = await kafka.collect(
        CONTACTS_TOPIC, lambda r: header(r, "ce_id") in wanted, count=len(wanted), timeout_s=60, settle_s=1.0
    )
    assert Counter(header(r, "ce_id") for r in published) == Counter(wanted)
    for person in people:
        names = [json.loads(r.value)["display_name"] for r in published if r.key == person.encode()]
        names = [n for n in names if n != "written before"]
        assert names == [f"name {n:03d}" for n in range(84)]


async def test_relay_publishes_what_accumulated_while_the_broker_was_down(
    infra, service_context, kafka, background, unique
):
    if not infra.can_stop_and_start:
        pytest.skip("needs the local broker process, which the tests can stop and start")
    volunteers = await service_context(VOLUNTEERS)
    background(volunteers.relay().run)
    warmup = await register_volunteer(volunteers, f"warm-{unique}", "before the outage")
    await kafka.collect(CONTACTS_TOPIC, lambda r: header(r, "ce_id") == warmup, count=1)

    await asyncio.to_thread(infra.stop_kafka)
    try:
        ids = [await register_volunteer(volunteers, f"outage-{unique}", f"during {n:02d}") for n in range(20)]
        await asyncio.sleep(2)  # the relay tries, fails, and keeps the records
        assert await count_outbox_events(volunteers.db, {"_id": {"$in": ids}, "status": "pending"}) == 20
    finally:
        await asyncio.to_thread(infra.start_kafka)

    wanted = set(ids)
    records = await kafka.collect(
        CONTACTS_TOPIC, lambda r: header(r, "ce_id") in wanted, count=20, timeout_s=90, settle_s=1.0
    )
    assert [json.loads(r.value)["display_name"] for r in records] == [f"during {n:02d}" for n in range(20)]
    assert await count_outbox_events(volunteers.db, {"_id": {"$in": ids}, "status": "pending"}) == 0


async def test_two_consumers_share_the_work_and_a_graceful_stop_loses_and_repeats_nothing(
    service_context, kafka, background, wait_until, unique
):
    volunteers = await service_context(VOLUNTEERS)
    notifications = await service_context(NOTIFICATIONS)
    # Only what this test sends: the shared test broker keeps every earlier test's contacts.
    await kafka.skip_history(notifications.settings.consumer_group, list(NOTIFICATIONS.consumes))
    effects = notifications.db["test_effects"]
    ids = [await register_volunteer(volunteers, f"share{n % 12}-{unique}", f"n{n}") for n in range(240)]
    ours = {"_id": {"$in": ids}}

    handlers = counted(notifications.components.handlers, effects)
    first = background(notifications.consumer(handlers).run)
    background(notifications.consumer(handlers).run)
    background(volunteers.relay().run)

    await wait_until(lambda: effects.count_documents(ours), timeout_s=60)
    first.set()  # one worker leaves mid-stream; the other takes over its partitions
    await wait_until(lambda: _count_is(effects, ours, len(ids)), timeout_s=90)
    await asyncio.sleep(1.0)
    assert await effects.count_documents({**ours, "n": {"$ne": 1}}) == 0


async def test_relay_is_woken_by_every_commit_not_only_by_polling(service_context, background, wait_until, unique):
    """With polling practically off, only the change-stream wake-up can publish these bursts."""
    volunteers = await service_context(VOLUNTEERS, outbox_poll_interval_s=60.0)
    background(volunteers.relay().run)
    for burst in range(8):
        ids = await asyncio.gather(
            *(register_volunteer(volunteers, f"wake{burst}{n}-{unique}", f"burst {burst}") for n in range(6))
        )
        pending = {"_id": {"$in": list(ids)}, "status": "pending"}
        await wait_until(lambda q=pending: _no_outbox_events(volunteers.db, q), timeout_s=20)


async def test_consumer_waits_out_a_database_outage_and_loses_nothing(
    infra, service_context, kafka, background, wait_until, unique
):
    if not infra.can_stop_and_start:
        pytest.skip("needs the local database process, which the tests can stop and start")
    notifications = await service_context(NOTIFICATIONS)
    # Only what this test sends: the shared test broker keeps every earlier test's contacts.
    await kafka.skip_history(notifications.settings.consumer_group, list(NOTIFICATIONS.consumes))
    effects = notifications.db["test_effects"]
    background(notifications.consumer(counted(notifications.components.handlers, effects)).run)
    people = [f"outage{n}-{unique}" for n in range(10)]
    messages = [
        cloud_event(
            CONTACTS_TOPIC, UPSERTED, "/partners/test", person, {"person_id": person, "display_name": "Kept Safe"}
        )
        for person in people
    ]
    await kafka.produce(CONTACTS_TOPIC, messages[0].value, key=messages[0].key, headers=messages[0].headers)
    await wait_until(lambda: effects.count_documents({}))  # the consumer is up and storing

    await asyncio.to_thread(infra.stop_mongo)
    try:
        for message in messages[1:]:
            await kafka.produce(CONTACTS_TOPIC, message.value, key=message.key, headers=message.headers)
        await asyncio.sleep(7)  # longer than server selection (5 s): the consumer sees real failures
    finally:
        await asyncio.to_thread(infra.start_mongo)

    book = ContactRepository(notifications.db)
    await wait_until(lambda: _all_stored(book, people), timeout_s=90)
    assert await effects.count_documents(
        {"_id": {"$in": [dict(m.headers)["ce_id"].decode() for m in messages]}}
    ) == len(people)
    assert await effects.count_documents({"n": {"$ne": 1}}) == 0


async def _all_stored(book: ContactRepository, people: list[str]) -> bool:
    return all([await book.find(person) for person in people])


async def test_a_backlog_on_one_topic_does_not_hold_back_the_others(
    service_context, kafka, background, wait_until, unique
):
    """A contact published while the consumer works through a backlog of issue events is handled within
    a few batches. (aiokafka alone hands out one partition's fetched records before the next one's, so
    it waited for the whole fetched backlog: seen under `make run` with a sign-in link.)"""
    notifications = await service_context(NOTIFICATIONS, consumer_batch_size=20)
    issues_topic = events_topic("issues")
    await kafka.skip_history(notifications.settings.consumer_group, [issues_topic, CONTACTS_TOPIC])
    backlog = 1500
    await kafka.produce_all([issue_reported_record(f"backlog-{unique}-{n}") for n in range(backlog)])

    order: list[str] = []

    async def on_issue(event: Envelope, tx: Transaction) -> None:
        order.append("issue")

    async def on_contact(event: Envelope, tx: Transaction) -> None:
        order.append(event.data.person_id)

    handlers = {"hub.issues.issue.reported.v1": on_issue, UPSERTED: on_contact}
    background(notifications.consumer(handlers).run)
    await wait_until(lambda: _now(len(order) >= 40), timeout_s=60)  # the backlog is fetched and under way
    contact = cloud_event(
        CONTACTS_TOPIC,
        UPSERTED,
        "/hub/volunteers",
        f"waiting-{unique}",
        {"person_id": f"waiting-{unique}", "display_name": "Rita"},
    )
    await kafka.produce(CONTACTS_TOPIC, contact.value, key=contact.key, headers=contact.headers)

    await wait_until(lambda: _now(f"waiting-{unique}" in order), timeout_s=60)
    handled_before = order.index(f"waiting-{unique}")
    assert handled_before < backlog * 2 // 3, f"the contact waited behind {handled_before} of {backlog} issue events"


async def _now(value):
    return value

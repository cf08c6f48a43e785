"""Where the notifications pipeline's time goes, database call by database call.

The service's real code runs in this process against the dev database (no Kafka needed): N resident
reports and their contact events, as the issues service publishes them, go through the real
consumer's ``process()`` in batches of the consumer's size, and then the delivery worker sends
every message to a real SMTP server (aiosmtpd, in this process). A PyMongo command listener
attributes every database round trip to the stage that made it. From ONE run it prints, per
stage, the wall time, the round trips and their time per event or message, and the top commands.

    uv run python bench/notifications_profile.py --reports 200
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import os
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from aiokafka.structs import ConsumerRecord
from aiosmtpd.controller import Controller
from e2e import free_port
from pymongo import monitoring

from hub_common.contracts import CONTACTS_TOPIC
from hub_common.envelope import KafkaRecord
from hub_common.service import ServiceContext
from hub_notifications.__main__ import DEFINITION
from hub_notifications.settings import NotificationsSettings
from hub_testkit.events import cloud_event, issue_reported_record
from hub_testkit.issuer import running_issuer

stage: contextvars.ContextVar[str] = contextvars.ContextVar("stage", default="other")


@dataclass
class Calls:
    """Round trips per (stage, command, collection): how many, and their total time."""

    count: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    seconds: dict[tuple[str, str, str], float] = field(default_factory=lambda: defaultdict(float))


class Listener(monitoring.CommandListener):
    def __init__(self, calls: Calls) -> None:
        self.calls = calls
        self.open: dict[int, tuple[str, str, str]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        collection = event.command.get(event.command_name)
        where = collection if isinstance(collection, str) else ""
        self.open[event.request_id] = (stage.get(), event.command_name, where)

    def _done(self, event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent) -> None:
        key = self.open.pop(event.request_id, None)
        if key is not None:
            self.calls.count[key] += 1
            self.calls.seconds[key] += event.duration_micros / 1e6

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._done(event)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._done(event)


class Mailbox:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received += 1
        return "250 OK"


def record_of(record: KafkaRecord, offset: int) -> ConsumerRecord:
    return ConsumerRecord(
        topic=record.topic,
        partition=0,
        offset=offset,
        timestamp=int(time.time() * 1000),
        timestamp_type=0,
        key=record.key,
        value=record.value,
        checksum=None,
        serialized_key_size=len(record.key),
        serialized_value_size=len(record.value),
        headers=record.headers,
    )


def reports(n: int, run: str) -> list[ConsumerRecord]:
    """What the issues service publishes for n Open311 reports with an email: a contact and a report."""
    records: list[ConsumerRecord] = []
    for i in range(n):
        person = f"profile-{run}-{i}"
        contact = cloud_event(
            CONTACTS_TOPIC,
            "hub.issues.contact.upserted.v1",
            "/hub/issues",
            person,
            {
                "person_id": person,
                "display_name": "Priya",
                "email": f"{person}@example.org",
                "hub_ids": ["hub-northfield"],
                "consented_channels": ["email", "inapp"],
            },
        )
        records.append(record_of(contact, len(records)))
        records.append(record_of(issue_reported_record(f"P-{run}-{i}", reporter_id=person), len(records)))
    return records


async def main(args: argparse.Namespace) -> None:
    run = uuid.uuid4().hex[:8]
    calls = Calls()
    monitoring.register(Listener(calls))
    mailbox, smtp_port = Mailbox(), free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    # The token issuer each acknowledgement's sign-in link is asked of, as under `make run`.
    issuer = contextlib.ExitStack()
    issuer_url = issuer.enter_context(running_issuer(args.kafka, args.mongo))
    settings = NotificationsSettings(
        issuer_url=issuer_url,
        mongo_uri=args.mongo,
        mongo_db=f"hub_bench_profile_{run}",
        kafka_bootstrap_servers=args.kafka,
        smtp_port=smtp_port,
        demo_data=True,  # the demo hub's staff asked for new-report alerts, as under `make run`
        log_level="WARNING",
        **({"delivery_batch_size": args.delivery_batch} if args.delivery_batch else {}),
    )
    ctx = ServiceContext(DEFINITION, settings)
    await ctx.start()
    consumer = ctx.consumer()
    assert consumer is not None
    delivery = ctx.components.use_cases.delivery
    records = reports(args.reports, run)
    walls: dict[str, float] = defaultdict(float)
    try:
        stage.set("consumer")
        started = time.perf_counter()
        for i in range(0, len(records), settings.consumer_batch_size):
            await consumer.process(records[i : i + settings.consumer_batch_size])
        walls["consumer"] = time.perf_counter() - started

        stage.set("delivery")
        started = time.perf_counter()
        messages = 0
        while attempted := await delivery.deliver_due(200):
            messages += attempted
        walls["delivery"] = time.perf_counter() - started
    finally:
        smtp.stop()
        issuer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ctx.client.drop_database(settings.mongo_db), 60)
        await ctx.close()

    events = len(records)
    print(
        f"notifications profile  run={run}  reports={args.reports} ({events} events)  "
        f"consumer batch={settings.consumer_batch_size}  delivery batch={settings.delivery_batch_size}  "
        f"mongo={args.mongo}"
    )
    per = {"consumer": (events, "event"), "delivery": (max(messages, 1), "message")}
    for name, (n, unit) in per.items():
        keys = [k for k in calls.count if k[0] == name]
        trips = sum(calls.count[k] for k in keys)
        db_s = sum(calls.seconds[k] for k in keys)
        print(
            f"\n{name}: {walls[name]:.2f} s wall for {n} {unit}s = {walls[name] / n * 1000:.1f} ms per {unit}; "
            f"{trips} round trips ({trips / n:.1f} per {unit}), "
            f"{db_s:.2f} s in them ({db_s / walls[name]:.0%} of the wall)"
        )
        print(
            f"  {'command':14s} {'collection':22s} {'calls':>7s} {'per ' + unit:>12s} {'ms each':>8s} {'total s':>8s}"
        )
        for key in sorted(keys, key=lambda k: -calls.seconds[k])[: args.top]:
            count, seconds = calls.count[key], calls.seconds[key]
            print(
                f"  {key[1]:14s} {key[2]:22s} {count:7d} {count / n:12.2f} {seconds / count * 1000:8.2f} {seconds:8.2f}"
            )
    print(f"\nemails accepted by the SMTP server: {mailbox.received}; messages attempted: {messages}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument(
        "--delivery-batch", type=int, default=None, help="HUB_DELIVERY_BATCH_SIZE (default: its default)"
    )
    parser.add_argument("--top", type=int, default=12, help="commands listed per stage")
    parser.add_argument("--kafka", default=os.environ.get("HUB_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--mongo", default=os.environ.get("HUB_MONGO_URI", "mongodb://127.0.0.1:27017"))
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))

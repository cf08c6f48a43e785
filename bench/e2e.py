"""End to end: an issue reported over HTTP until its acknowledgement email is accepted by SMTP.

From ONE run on the same broker it prints:

(e2e)  per report, ``POST /v1/issues`` start -> the acknowledgement email's SMTP DATA accepted, p50/p99
       over N reports. The issues and notifications services run for real in this process (API and
       worker of each, as ``--role all`` runs them: ``create_app(..., run_worker=True)``); the report
       goes through the issues API, its unit of work, the outbox relay, Kafka (``hub.issues.events``
       and ``hub.contacts``), the notifications consumer, its delivery loop and a real SMTP
       conversation with an aiosmtpd server in this process.
(raw)  one message produced (acks=all, idempotent) and consumed on the same broker, p50/p99.

and the ratio p50(e2e) / p50(raw), target <= 5. A per-stage breakdown (from the timestamps the
services store) shows where the end-to-end time goes. See bench/README.md for the method.

    uv run python bench/e2e.py --reports 200
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiosmtpd.controller import Controller
from asgi_lifespan import LifespanManager

from hub_common.app import create_app
from hub_common.contracts import all_topics
from hub_common.kafka import ensure_topics, start_group_at_end
from hub_common.logging import configure_logging
from hub_common.service import ServiceContext
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_issues.settings import IssuesSettings
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_notifications.settings import NotificationsSettings
from hub_testkit.issuer import running_issuer

DEFAULT_REPORTS = 200
WARMUP_REPORTS = 3
NORTHFIELD = (53.8150, -1.5500)  # inside the demo hub-northfield boundary
REPORTED = "hub.issues.issue.reported.v1"
TARGET_RATIO = 5.0
EMAIL_TIMEOUT_S = 20.0


# -- SMTP server recording arrival times ---------------------------------------------------------


class ArrivalRecorder:
    """aiosmtpd handler: notes when each recipient's message was accepted (DATA), and wakes waiters."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.arrived: dict[str, float] = {}
        self.waiters: dict[str, asyncio.Future[float]] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        accepted = time.perf_counter()
        with self.lock:
            for address in envelope.rcpt_tos:
                self.arrived.setdefault(address, accepted)
                waiter = self.waiters.get(address)
                if waiter is not None:
                    self.loop.call_soon_threadsafe(_resolve, waiter, accepted)
        return "250 Message accepted for delivery"

    def expect(self, address: str) -> asyncio.Future[float]:
        """A future resolved with the perf_counter time the message to ``address`` is accepted."""
        future: asyncio.Future[float] = self.loop.create_future()
        with self.lock:
            if address in self.arrived:
                future.set_result(self.arrived[address])
            else:
                self.waiters[address] = future
        return future


def _resolve(future: asyncio.Future[float], value: float) -> None:
    if not future.done():
        future.set_result(value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- measurements -------------------------------------------------------------------------------


@dataclass
class Report:
    address: str
    started_wall: datetime
    started: float
    answered: float = 0.0
    emailed: float = 0.0
    issue_id: str = ""
    missed: bool = False
    message_status: str = ""
    stages: dict[str, float] = field(default_factory=dict)  # stage -> seconds since started_wall

    @property
    def latency(self) -> float:
        return self.emailed - self.started


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def raw_round_trips(kafka: str, topic: str, count: int) -> list[float]:
    """Seconds from ``send`` to the same message consumed, one message at a time (acks=all, idempotent)."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all", enable_idempotence=True)
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
    await producer.start()
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_end(partition)
        payload = b'{"issue_id":"0123456789abcdef","service_code":"litter","hub_id":"hub-northfield"}' * 3
        times = []
        for i in range(count + WARMUP_REPORTS):
            started = time.perf_counter()
            await producer.send_and_wait(topic, payload, key=str(i).encode(), partition=0)
            record = await consumer.getone()
            finished = time.perf_counter()
            assert record.key == str(i).encode(), "the raw round trip read someone else's message"
            if i >= WARMUP_REPORTS:
                times.append(finished - started)
        return times
    finally:
        await consumer.stop()
        await producer.stop()


async def report_one(client: httpx.AsyncClient, recorder: ArrivalRecorder, run_id: str, i: int | str) -> Report:
    address = f"bench-{run_id}-{i}@example.org"
    waiter = recorder.expect(address)
    body = {
        "service_code": "litter",
        "description": f"Bags of rubbish dumped by the bus shelter ({i})",
        # Spread the reports so the duplicate search does not pile them on one spot.
        "lat": NORTHFIELD[0] + (hash(str(i)) % 500) * 2e-5,
        "lon": NORTHFIELD[1],
        "contact": {"name": "Priya Bench", "email": address},
    }
    report = Report(address=address, started_wall=datetime.now(UTC), started=time.perf_counter())
    response = await client.post("/v1/issues", json=body)
    report.answered = time.perf_counter()
    response.raise_for_status()
    report.issue_id = response.json()["issue"]["id"]
    try:
        report.emailed = await asyncio.wait_for(waiter, EMAIL_TIMEOUT_S)
    except TimeoutError:
        report.missed = True  # counted and explained in the table, not timed
    return report


async def attach_stages(notifications: ServiceContext, reports: list[Report]) -> None:
    """Per report, when each step finished, from the timestamps the services store (wall clock)."""
    by_issue = {r.issue_id: r for r in reports}
    messages = notifications.db["messages"].find(
        {"values.issue_id": {"$in": list(by_issue)}, "channel": "email", "message_type": "issue_acknowledgement"}
    )
    event_of: dict[str, Report] = {}
    async for message in messages:
        report = by_issue[message["values"]["issue_id"]]
        event_of[f"{message['event_source']}|{message['event_id']}"] = report
        report.message_status = f"{message['status']} ({message.get('reason')})"
        report.stages["message planned"] = (message["history"][0]["at"] - report.started_wall).total_seconds()
        sending = [h for h in message["history"] if h["status"] != "created"]
        if sending:
            report.stages["delivery recorded"] = (sending[0]["at"] - report.started_wall).total_seconds()
    # The relay deletes outbox records once Kafka has them; the consumer's inbox keeps the record time.
    async for record in notifications.db["inbox"].find({"_id": {"$in": list(event_of)}}):
        report = event_of[record["_id"]]
        report.stages["relay published"] = (record["published_at"] - report.started_wall).total_seconds()


def print_table(args: argparse.Namespace, reports: list[Report], raw: list[float], elapsed: float) -> None:
    ms = 1000.0
    missed = [r for r in reports if r.missed]
    reports = [r for r in reports if not r.missed]
    latencies = [r.latency for r in reports]
    posts = [r.answered - r.started for r in reports]
    print()
    print(
        f"e2e bench  run={args.run_id}  reports={len(reports)}  concurrency={args.concurrency}  "
        f"kafka={args.kafka}  mongo={args.mongo}"
    )
    print(f"  {len(reports)} reports in {elapsed:.1f} s ({len(reports) / elapsed:.1f} reports/s)")
    print()
    header = f"{'figure':<52} {'n':>5} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}"
    print(header)
    print("-" * len(header))
    rows = [
        ("(e2e) POST /v1/issues -> SMTP DATA accepted", latencies),
        ("      of which: the POST itself", posts),
        ("(raw) Kafka produce -> consume, one message", raw),
    ]
    for name, values in rows:
        print(
            f"{name:<52} {len(values):>5} {percentile(values, 50) * ms:>9.1f} "
            f"{percentile(values, 99) * ms:>9.1f} {max(values) * ms:>9.1f}"
        )
    if missed:
        statuses = sorted({r.message_status or "no message planned" for r in missed})
        print(f"MISSED: {len(missed)} reports got no email within {EMAIL_TIMEOUT_S:.0f} s (message: {statuses})")
    ratio = percentile(latencies, 50) / percentile(raw, 50)
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print()
    print(f"ratio p50(e2e) / p50(raw) = {ratio:.1f}   (target <= {TARGET_RATIO:g}: {verdict})")
    print()
    stages = ["relay published", "message planned", "delivery recorded"]
    print("where the time goes (median over reports, ms since the POST started; wall clock of the stored timestamps)")
    previous = 0.0
    for stage in stages:
        values = [r.stages[stage] for r in reports if stage in r.stages]
        if not values:
            print(f"  {stage:<22} (no timestamp found)")
            continue
        median = statistics.median(values)
        print(f"  {stage:<22} {median * ms:>8.1f}   (+{(median - previous) * ms:.1f})")
        previous = median
    emailed = statistics.median(latencies)
    print(f"  {'SMTP DATA accepted':<22} {emailed * ms:>8.1f}   (+{(emailed - previous) * ms:.1f})")


async def main(args: argparse.Namespace) -> int:
    run_id = args.run_id
    smtp_port = free_port()
    common = {
        "kafka_bootstrap_servers": args.kafka,
        "mongo_uri": args.mongo,
        "log_format": "console",
        "log_level": args.log_level,
    }
    issues_settings = IssuesSettings(
        **common, mongo_db=f"hub_bench_e2e_{run_id}_issues", consumer_group_override=f"hub-bench-{run_id}-issues"
    )
    # The token issuer notifications asks for each acknowledgement's sign-in link: the real identity
    # service (in a thread of this process, as the tests run it), signing with the test kit's key.
    issuer = contextlib.ExitStack()
    issuer_url = issuer.enter_context(running_issuer(args.kafka, args.mongo))
    notifications_settings = NotificationsSettings(
        **common,
        issuer_url=issuer_url,
        mongo_db=f"hub_bench_e2e_{run_id}_notifications",
        consumer_group_override=f"hub-bench-{run_id}-notifications",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
    )
    raw_topic = f"hub.bench.{run_id}.e2e-raw"
    await ensure_topics(args.kafka, [*all_topics(), raw_topic], partitions=3, replication_factor=1)
    # Fresh groups would read each topic from its start (earliest): every earlier event on this broker.
    await start_group_at_end(args.kafka, issues_settings.consumer_group, list(ISSUES.consumes))
    await start_group_at_end(args.kafka, notifications_settings.consumer_group, list(NOTIFICATIONS.consumes))

    recorder = ArrivalRecorder(asyncio.get_running_loop())
    smtp = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    issues = ServiceContext(ISSUES, issues_settings)
    notifications = ServiceContext(NOTIFICATIONS, notifications_settings)
    reports: list[Report] = []
    try:
        print("measuring the raw Kafka round trip ...", file=sys.stderr, flush=True)
        raw = await raw_round_trips(args.kafka, raw_topic, args.raw)
        await issues.start()
        await ISSUES.seed_demo_data(issues)  # hubs and categories to report against
        issues_app = create_app(ISSUES, issues_settings, run_worker=True, context=issues)
        notifications_app = create_app(NOTIFICATIONS, notifications_settings, run_worker=True, context=notifications)
        async with (
            LifespanManager(notifications_app, shutdown_timeout=120),
            LifespanManager(issues_app, shutdown_timeout=120) as issues_manager,
        ):
            transport = httpx.ASGITransport(app=issues_manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as client:
                print("warming up (consumer groups join) ...", file=sys.stderr, flush=True)
                for i in range(WARMUP_REPORTS):
                    await report_one(client, recorder, run_id, f"warmup{i}")
                print(f"reporting {args.reports} issues ...", file=sys.stderr, flush=True)
                todo = iter(range(args.reports))
                started = time.perf_counter()

                async def reporter() -> None:
                    for i in todo:
                        reports.append(await report_one(client, recorder, run_id, i))

                await asyncio.gather(*(reporter() for _ in range(args.concurrency)))
                elapsed = time.perf_counter() - started
        await attach_stages(notifications, reports)
    finally:
        smtp.stop()
        issuer.close()
        if not args.keep:
            for ctx in (issues, notifications):
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(ctx.client.drop_database(ctx.settings.mongo_db), 60)
        await issues.close()
        await notifications.close()
        with contextlib.suppress(Exception):
            admin = AIOKafkaAdminClient(bootstrap_servers=args.kafka, client_id="hub-bench-cleanup")
            await admin.start()
            try:
                await admin.delete_topics([raw_topic])
            finally:
                await admin.close()
    print_table(args, reports, raw, elapsed)
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reports", type=int, default=DEFAULT_REPORTS, help=f"reports timed (default {DEFAULT_REPORTS})"
    )
    parser.add_argument(
        "--concurrency", type=int, default=1, help="reporters at once, each waiting for its email (default 1)"
    )
    parser.add_argument("--raw", type=int, default=DEFAULT_REPORTS, help="raw Kafka round trips timed (default 200)")
    parser.add_argument("--kafka", default=os.environ.get("HUB_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--mongo", default=os.environ.get("HUB_MONGO_URI", "mongodb://127.0.0.1:27017"))
    parser.add_argument("--keep", action="store_true", help="keep the bench databases (default: drop them)")
    parser.add_argument("--log-level", default="WARNING", help="log level of the services (default WARNING)")
    args = parser.parse_args(argv)
    args.run_id = uuid.uuid4().hex[:8]
    return args


if __name__ == "__main__":
    arguments = parse_args()
    configure_logging("bench", "console", arguments.log_level)
    sys.exit(asyncio.run(main(arguments)))

"""Burst: does the event pipeline keep up with the front door, and does a new resident wait behind a backlog?

The issues and notifications services and the token issuer (identity, which notifications asks for
each acknowledgement's sign-in link) run as real processes (``python -m hub_<name> --role all``,
as ``make run`` starts them) on the dev broker and database; the bench is an outside client: it
POSTs N resident reports (Open311, form-encoded, with the resident's email) at C concurrent, and a
real SMTP server (aiosmtpd, in this process) notes when each acknowledgement arrives. From ONE run:

  intake      reports accepted per second (first POST start -> last POST answered)
  delivery    acknowledgements accepted by the SMTP server per second (first -> last arrival)
  drain       the last acknowledgement's arrival after the last POST was answered
  probe       one report posted right after the burst: POST -> its acknowledgement
  ratio       delivery / intake (target >= 1.0: the pipeline keeps up with the burst)
  duplicates  acknowledgements that arrived more than once (by Message-ID)
  staff       what the demo hub's staff member got: single alerts and digests

``--outage-s S`` is the outage variant: the SMTP server stops after a quarter of the reports and
starts again S seconds later; it then also prints how long after the restart delivery resumed,
when the last email of the burst arrived, and the latency of a probe report posted during the drain.

``--store-profile MS`` turns on the database server's profiler for notifications' database
(operations slower than MS milliseconds) and prints which statements, by shape, took the time.

``--notification-workers N`` runs N notifications workers; ``--kill-worker-at K`` kills the last
of them with SIGKILL after K reports and prints how long after the last POST the last email came.

    uv run python bench/burst.py --reports 400 --concurrency 8
    uv run python bench/burst.py --reports 400 --outage-s 120
    uv run python bench/burst.py --reports 120 --notification-workers 2 --kill-worker-at 60
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pymongo
from aiosmtpd.controller import Controller
from e2e import ArrivalRecorder, free_port, percentile
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient

from hub_common.contracts import all_topics
from hub_common.kafka import ensure_topics, start_group_at_end
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_notifications.settings import NotificationsSettings
from hub_testkit.tokens import TEST_JWKS, issue_token

NORTHFIELD = (53.8150, -1.5500)  # inside the demo hub-northfield boundary
STAFF = "nadia.khan@northfield-hub.localhost"  # the demo staff member alerted about Northfield's reports
TARGET_RATIO = 1.0
PROBE_TARGET_S = 5.0


@dataclass
class Arrival:
    at: float
    message_id: str
    subject: str


class Mailbox(ArrivalRecorder):
    """e2e's arrival recorder (the first arrival per recipient, and waiters for it), also keeping
    every message accepted with its Message-ID and subject: duplicates and digests are counted."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.arrivals: dict[str, list[Arrival]] = {}

    async def handle_DATA(self, server, session, envelope) -> str:
        accepted = time.perf_counter()
        text = envelope.content.decode("utf-8", "replace")
        headers = dict(
            line.split(": ", 1)
            for line in text.split("\r\n\r\n", 1)[0].replace("\r\n ", " ").split("\r\n")
            if ": " in line
        )
        with self.lock:
            for address in envelope.rcpt_tos:
                self.arrivals.setdefault(address, []).append(
                    Arrival(accepted, headers.get("Message-ID", ""), headers.get("Subject", ""))
                )
        return await super().handle_DATA(server, session, envelope)

    def first(self, address: str) -> float | None:
        with self.lock:
            return self.arrived.get(address)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def infra_pids() -> dict[str, int]:
    """The dev pair's processes, from the pid files ``scripts/infra.sh`` writes."""
    run = Path(os.environ.get("HUB_RUN_DIR", Path(__file__).resolve().parents[1] / ".hub" / "run"))
    pids = {}
    stores = [(f"secantusdb-{s}", f"mongo-{s}.pid") for s in ("volunteers", "issues", "assets", "notifications")]
    for name, file in (("secantusdb", "mongo.pid"), ("kafka", "kafka.pid"), *stores):
        with contextlib.suppress(OSError, ValueError):
            pids[name] = int((run / file).read_text().strip())
    return pids


class Stack:
    """The issuer, issues and notifications services as processes (``--role all``), on fresh databases and groups."""

    def __init__(self, args: argparse.Namespace, run_id: str, smtp_port: int) -> None:
        self.run_id = run_id
        self.issues_port, self.notifications_port, self.identity_port = free_port(), free_port(), free_port()
        self.env = {
            **os.environ,
            "HUB_AUTH_JWKS": TEST_JWKS,  # the bench signs its callers' tokens with the test kit's key
            "HUB_KAFKA_BOOTSTRAP_SERVERS": args.kafka,
            "HUB_MONGO_URI": args.mongo,
            "HUB_DEMO_DATA": "true",
            "HUB_LOG_LEVEL": "WARNING",
            "HUB_LOG_FORMAT": "json",
            "HUB_SMTP_HOST": "127.0.0.1",
            "HUB_SMTP_PORT": str(smtp_port),
            "HUB_ISSUER_URL": f"http://127.0.0.1:{self.identity_port}",
        }
        # Each service may have its own database server (--notifications-mongo): one SecantusDB
        # process is single-threaded Python, and under a burst it was the busiest process.
        self.mongo = {
            "issues": args.mongo,
            "notifications": args.notifications_mongo or args.mongo,
            "identity": args.mongo,  # read once, for its key ring: it issues tokens from memory
        }
        self.processes: list[subprocess.Popen] = []
        self.serving: list[tuple[int, Path]] = []  # the APIs to wait for, and their logs

    def start_issuer(self) -> None:
        """The identity service, signing with the test kit's key (its key ring seeded before it
        starts), so the tokens it issues verify against the JWKS the other services are given."""
        from hub_identity.settings import IdentitySettings
        from hub_testkit.issuer import test_key_ring

        settings = IdentitySettings(mongo_uri=self.mongo["identity"], mongo_db=self.database("identity"))
        with pymongo.MongoClient(settings.mongo_uri) as client:
            client[settings.mongo_db]["key_ring"].insert_one(test_key_ring(settings))
        self.start("identity", self.identity_port)

    def database(self, service: str) -> str:
        return f"hub_bench_burst_{self.run_id}_{service}"

    def group(self, service: str) -> str:
        return f"hub-bench-burst-{self.run_id}-{service}"

    def start(self, service: str, port: int, role: str = "all") -> None:
        env = {
            **self.env,
            "HUB_MONGO_URI": self.mongo[service],
            "HUB_HTTP_PORT": str(port),
            "HUB_MONGO_DB": self.database(service),
            "HUB_CONSUMER_GROUP": self.group(service),
        }
        log = Path(tempfile.gettempdir()) / f"hub-bench-burst-{service}-{len(self.processes)}.log"
        with log.open("w") as out:
            command = [sys.executable, "-m", f"hub_{service}", "--role", role]
            # Its warnings (HUB_LOG_LEVEL above) kept beside its errors, to read after an odd run.
            self.processes.append(subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT))
        if port:
            self.serving.append((port, log))

    async def wait_ready(self) -> None:
        async with httpx.AsyncClient() as client:
            for port, log in self.serving:
                for _ in range(720):  # up to 3 minutes (index creation on a busy dev database)
                    with contextlib.suppress(httpx.TransportError):
                        if (await client.get(f"http://127.0.0.1:{port}/health/ready")).status_code == 200:
                            break
                    await asyncio.sleep(0.25)
                else:
                    raise RuntimeError(f"the service on port {port} did not become ready:\n{log.read_text()[-2000:]}")

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


class Reporter:
    """An Open311 client posting resident reports with an email address, as a partner app does."""

    def __init__(self, client: httpx.AsyncClient, mailbox: Mailbox, run_id: str, api_key: str) -> None:
        self.client, self.mailbox, self.run_id, self.api_key = client, mailbox, run_id, api_key

    def address(self, label: int | str) -> str:
        return f"burst-{self.run_id}-{label}@example.org"

    async def post(self, label: int | str) -> float:
        """POST one report; returns when it was answered (perf_counter)."""
        form = {
            "api_key": self.api_key,
            "service_code": "litter",
            "description": f"Bags of rubbish dumped by the bus shelter ({label})",
            "lat": str(NORTHFIELD[0] + (hash(str(label)) % 500) * 2e-5),
            "long": str(NORTHFIELD[1]),
            "email": self.address(label),
            "first_name": "Priya",
            "last_name": "Bench",
        }
        response = await self.client.post("/open311/v2/requests.json", data=form)
        answered = time.perf_counter()
        response.raise_for_status()
        return answered

    async def probe(self, label: str, timeout_s: float) -> float | None:
        """A report posted now: seconds until its acknowledgement arrives (None if not within the timeout)."""
        waiter = self.mailbox.expect(self.address(label))
        started = time.perf_counter()
        await self.post(label)
        try:
            return await asyncio.wait_for(waiter, timeout_s) - started
        except TimeoutError:
            return None


async def wait_for_all(mailbox: Mailbox, addresses: list[str], timeout_s: float) -> None:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if all(mailbox.first(a) is not None for a in addresses):
            return
        await asyncio.sleep(0.2)


async def main(args: argparse.Namespace) -> int:
    run_id = uuid.uuid4().hex[:8]
    smtp_port = free_port()
    mailbox = Mailbox(asyncio.get_running_loop())
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    stack = Stack(args, run_id, smtp_port)
    await ensure_topics(args.kafka, all_topics(), partitions=3, replication_factor=1)
    # Fresh groups would read each topic from its start: every earlier event on this broker.
    await start_group_at_end(args.kafka, stack.group("issues"), list(ISSUES.consumes))
    await start_group_at_end(args.kafka, stack.group("notifications"), list(NOTIFICATIONS.consumes))
    stack.start_issuer()
    stack.start("issues", stack.issues_port)
    stack.start("notifications", stack.notifications_port)
    for _ in range(args.notification_workers - 1):  # more workers share the consumer group and the queue
        stack.start("notifications", 0, role="worker")
    api_key = issue_token(sub="bench-partner", role="partner", hubs=["hub-northfield"])
    restarted_at: float | None = None
    try:
        print("starting the issues and notifications services ...", file=sys.stderr, flush=True)
        await stack.wait_ready()
        limits = httpx.Limits(max_connections=args.concurrency + 2)
        base = f"http://127.0.0.1:{stack.issues_port}"
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
            reporter = Reporter(client, mailbox, run_id, api_key)
            print("warming up (consumer groups join) ...", file=sys.stderr, flush=True)
            for i in range(3):
                if await reporter.probe(f"warmup{i}", 120) is None:
                    raise RuntimeError("a warm-up report got no acknowledgement within 120 s")
            warm_staff = len(mailbox.arrivals.get(STAFF, []))

            if args.store_profile is not None:
                await set_store_profiler(stack, args.store_profile)
            print(f"posting {args.reports} reports at {args.concurrency} concurrent ...", file=sys.stderr, flush=True)
            todo = iter(range(args.reports))
            answered: list[float] = []
            pids = {
                **infra_pids(),
                "identity": stack.processes[0].pid,
                "issues": stack.processes[1].pid,
                **{f"notifications-{n}": p.pid for n, p in enumerate(stack.processes[2:], start=1)},
                "bench": os.getpid(),
            }
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            outage = asyncio.Event()
            outage_started = 0.0
            killed: list[float] = []
            started = time.perf_counter()

            async def client_loop() -> None:
                nonlocal outage_started
                for i in todo:
                    answered.append(await reporter.post(i))
                    if args.kill_worker_at and len(answered) == args.kill_worker_at and not killed:
                        killed.append(time.perf_counter())
                        stack.processes[-1].kill()  # kill -9: no clean shutdown, its claims just stop
                        print("a notifications worker killed (SIGKILL)", file=sys.stderr, flush=True)
                    if args.outage_s and len(answered) == args.reports // 4 and not outage.is_set():
                        outage.set()
                        outage_started = time.perf_counter()
                        smtp.stop()  # the mail server goes away mid-burst
                        print("SMTP server stopped", file=sys.stderr, flush=True)

            await asyncio.gather(*(client_loop() for _ in range(args.concurrency)))
            last_post = max(answered)
            intake = args.reports / (last_post - started)

            probe_after: float | None = None
            probe_drain: float | None = None
            if args.outage_s:
                stopped_for = time.perf_counter() - outage_started
                await asyncio.sleep(max(0.0, args.outage_s - stopped_for))
                smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
                smtp.start()
                restarted_at = time.perf_counter()
                print("SMTP server started again", file=sys.stderr, flush=True)
                await asyncio.sleep(1.0)
                probe_drain = await reporter.probe("probe-drain", args.timeout)
            else:
                probe_after = await reporter.probe("probe", args.timeout)

            burst = [reporter.address(i) for i in range(args.reports)]
            await wait_for_all(mailbox, burst, args.timeout)
            burst_s = time.perf_counter() - started
            cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
            await asyncio.sleep(2.0)  # anything sent twice has time to show up
            metrics = (await httpx.AsyncClient().get(f"http://127.0.0.1:{stack.notifications_port}/metrics")).text
    finally:
        smtp.stop()
        stack.stop()

    arrived = sorted(t for a in burst if (t := mailbox.first(a)) is not None)
    missing = len(burst) - len(arrived)
    copies = Counter(x.message_id for a in burst for x in mailbox.arrivals.get(a, []))
    duplicates = sum(n - 1 for n in copies.values())
    staff = mailbox.arrivals.get(STAFF, [])[warm_staff:]
    digests = [s for s in staff if "digest" in s.subject.lower() or " since " in s.subject]
    ms = 1000.0

    print()
    print(
        f"burst bench  run={run_id}  reports={args.reports}  concurrency={args.concurrency}  "
        f"outage={args.outage_s or 0:g} s  notification workers={args.notification_workers}  "
        f"kafka={args.kafka}  mongo={args.mongo}"
        + (f"  notifications mongo={args.notifications_mongo}" if args.notifications_mongo else "")
    )
    print(f"  intake      {intake:8.1f} reports/s   ({args.reports} POSTs in {last_post - started:.1f} s)")
    if len(arrived) >= 2:
        delivery = len(arrived) / (arrived[-1] - arrived[0])
        print(
            f"  delivery    {delivery:8.1f} emails/s    (first -> last acknowledgement "
            f"{arrived[-1] - arrived[0]:.1f} s)"
        )
    else:
        delivery = 0.0
    if arrived:
        print(f"  drain       {arrived[-1] - last_post:8.1f} s           (last POST answered -> last acknowledgement)")
    if probe_after is not None or not args.outage_s:
        shown = f"{probe_after:8.2f} s" if probe_after is not None else f"   > {args.timeout:g} s"
        verdict = "met" if probe_after is not None and probe_after <= PROBE_TARGET_S else "NOT met"
        print(
            f"  probe       {shown}           (a report right after the burst; "
            f"target <= {PROBE_TARGET_S:g} s: {verdict})"
        )
    print(f"  missing     {missing:8d}             acknowledgements not arrived within {args.timeout:g} s")
    print(f"  duplicates  {duplicates:8d}             (by Message-ID)")
    print(f"  staff       {len(staff) - len(digests):8d} single alerts, {len(digests)} digests to {STAFF}")
    if args.outage_s and restarted_at is not None:
        after = [t - restarted_at for t in arrived if t > restarted_at]
        if after:
            print(f"  resumed     {after[0]:8.1f} s           after the SMTP server started again (first email)")
            print(f"  last        {after[-1]:8.1f} s           after the restart (last email of the burst)")
        shown = f"{probe_drain:8.2f} s" if probe_drain is not None else f"   > {args.timeout:g} s"
        verdict = "met" if probe_drain is not None and probe_drain <= PROBE_TARGET_S else "NOT met"
        print(f"  probe       {shown}           (a report during the drain; target <= {PROBE_TARGET_S:g} s: {verdict})")
    if not args.outage_s and len(arrived) >= 2:
        ratio = delivery / intake
        verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
        print(f"ratio delivery / intake = {ratio:.2f}   (target >= {TARGET_RATIO:g}: {verdict})")
    latencies = [t - s for t, s in zip(arrived, sorted(answered), strict=False)]
    if latencies:
        print(f"  (ack n-th arrival - n-th answer: p50 {percentile(latencies, 50) * ms:.0f} ms)")
    print(f"CPU seconds over the {burst_s:.0f} s from the first POST to the last email (2 cores: {2 * burst_s:.0f} s)")
    print("  " + "   ".join(f"{name} {seconds:.1f}" for name, seconds in sorted(cpu.items(), key=lambda x: -x[1])))
    await profile(args, stack, metrics)
    if killed:
        print(
            f"  killed      a worker after {args.kill_worker_at} reports; the last acknowledgement came "
            f"{arrived[-1] - last_post:.1f} s after the last POST (target <= 20 s); duplicates allowed: the "
            "killed worker's sends in flight"
        )
    allowed = args.concurrency if args.outage_s else 0
    if killed:
        allowed = max(allowed, NotificationsSettings().delivery_batch_size)  # at most its batch in flight
    return 1 if missing or duplicates > allowed else 0


def stage_totals(metrics: str) -> dict[str, tuple[float, float]]:
    """(seconds, count) per histogram series of the notifications worker's stages and consumer batches."""
    totals: dict[str, tuple[float, float]] = {}
    for family in text_string_to_metric_families(metrics):
        if family.name not in ("hub_work_stage_seconds", "hub_consumer_batch_seconds"):
            continue
        for sample in family.samples:
            name = f"{sample.labels.get('work', 'consumer')}:{sample.labels.get('stage', 'batch')}"
            seconds, count = totals.get(name, (0.0, 0.0))
            if sample.name.endswith("_sum"):
                totals[name] = (sample.value, count)
            elif sample.name.endswith("_count"):
                totals[name] = (seconds, sample.value)
    return totals


async def profile(args: argparse.Namespace, stack: Stack, metrics: str) -> None:
    """Where the time went: the worker's own stage timings (from its /metrics), and per message, from
    the timestamps notifications stores (median / p99 over the burst's acknowledgements)."""
    totals = stage_totals(metrics)
    retries = {
        sample.labels["source"]: sample.value
        for family in text_string_to_metric_families(metrics)
        if family.name == "hub_transaction_retries"
        for sample in family.samples
        if sample.name.endswith("_total")
    }
    print(
        "transactions run again after a conflict: " + (", ".join(f"{k} {v:.0f}" for k, v in retries.items()) or "none")
    )
    if totals:
        print("where the notifications worker's time went (whole run: seconds, batches, ms per batch)")
        for name, (seconds, count) in sorted(totals.items()):
            print(f"  {name:28s} {seconds:8.1f} s {count:6.0f}   {seconds / max(count, 1) * 1000:8.1f} ms")
    client = AsyncMongoClient(stack.mongo["notifications"], tz_aware=True)
    try:
        db = client[stack.database("notifications")]
        docs = await db["messages"].find({"channel": "email", "message_type": "issue_acknowledgement"}).to_list()
        planned, delivered, attempts = [], [], []
        for doc in docs:
            history = doc.get("history", [])
            reported = doc.get("values", {}).get("requested_at")
            if reported:  # the report's acceptance -> its message planned: relay, Kafka and the consumer
                planned.append((history[0]["at"] - datetime.fromisoformat(reported)).total_seconds())
            done = [h for h in history if h["status"] == "delivered"]
            if done:
                delivered.append((done[0]["at"] - history[0]["at"]).total_seconds())
            attempts.append(doc.get("attempts", 0))
        print("where a message's time went (median / p99 over the burst's acknowledgements, seconds)")
        if planned:
            print(f"  reported -> planned       {percentile(planned, 50):8.2f} {percentile(planned, 99):8.2f}")
        if delivered:
            print(f"  planned -> delivered      {percentile(delivered, 50):8.2f} {percentile(delivered, 99):8.2f}")
        if attempts:
            print(f"  attempts per message      {sum(attempts) / len(attempts):8.2f}")
        if args.store_profile is not None:
            await print_store_profile(db, args.store_profile)
        if not args.keep:
            for service in ("issues", "notifications", "identity"):
                owner = AsyncMongoClient(stack.mongo[service])
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(owner.drop_database(stack.database(service)), 60)
                await owner.close()
    finally:
        await client.close()


async def set_store_profiler(stack: Stack, slow_ms: int) -> None:
    client = AsyncMongoClient(stack.mongo["notifications"])
    try:
        await client[stack.database("notifications")].command("profile", 1, slowms=slow_ms)
    finally:
        await client.close()


def statement_shape(value: object) -> object:
    """A filter or update with its values replaced by their types: statements of one shape group."""
    if isinstance(value, dict):
        return {k: statement_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [statement_shape(value[0])] if value else []
    return type(value).__name__


async def print_store_profile(db, slow_ms: int) -> None:
    """The profiler's records by collection, operation and statement shape: count and total milliseconds.
    A single-threaded server's milliseconds include waiting behind other clients' statements."""
    groups: dict[str, list[float]] = {}
    async for record in db["system.profile"].find({}):
        command = record.get("command", {})
        op = record.get("op", "?")
        statements = command.get("updates") or command.get("deletes") or [{"q": command.get("filter", {})}]
        first = statements[0] if statements else {}
        shape = {"q": statement_shape(first.get("q", {}))}
        if "u" in first:
            shape["u"] = statement_shape(first["u"])
        if command.get("sort"):
            shape["sort"] = command["sort"]
        key = f"{record.get('ns', '?').split('.', 1)[-1]} {op} x{len(statements)} {shape}"
        total = groups.setdefault(key, [0, 0.0])
        total[0] += 1
        total[1] += record.get("millis", 0)
    print(f"the store's slowest statements (profiler, > {slow_ms} ms; count, total ms, shape)")
    for key, (count, millis) in sorted(groups.items(), key=lambda kv: -kv[1][1])[:15]:
        print(f"  {count:5.0f} {millis:9.0f} ms  {key[:220]}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--outage-s", type=float, default=0, help="stop the SMTP server this long mid-burst")
    parser.add_argument("--timeout", type=float, default=600, help="how long to wait for the last email")
    parser.add_argument("--kafka", default=os.environ.get("HUB_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--mongo", default=os.environ.get("HUB_MONGO_URI", "mongodb://127.0.0.1:27017"))
    parser.add_argument(
        "--notifications-mongo", default="", help="a database server of its own for notifications (default: --mongo)"
    )
    parser.add_argument("--notification-workers", type=int, default=1, help="notifications worker processes")
    parser.add_argument(
        "--kill-worker-at", type=int, default=0, help="kill -9 the last notifications worker after this many reports"
    )
    parser.add_argument(
        "--store-profile", type=int, default=None, metavar="MS", help="profile notifications' store (slower than MS)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench databases (default: drop them)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))

"""Scaling benchmark: what a second API replica and a second worker buy, measured with real processes.

Prints, from one run on the same broker and database:
  API     the issues service's POST /v1/issues over real HTTP, with 1 and then 2 API processes
          (``python -m hub_issues --role api``), the client spreading requests over the replicas as
          the gateway does;
  worker  partner reports on ``hub.issues.inbound`` turned into issues (validation, hub, duplicate
          search, state + outbox in a transaction, inbox dedupe) by 1 and then 2 worker processes
          (``--role worker``) in one consumer group sharing the topic's partitions.
Each figure gets its own database, consumer group and report source, so runs do not mix.

    uv run python bench/scaling.py --requests 600 --events 1000
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from hub_common import envelope
from hub_common.contracts import inbound_topic
from hub_common.contracts.issues import PartnerReportSubmitted
from hub_common.kafka import ensure_topics, start_group_at_end
from hub_common.service import ServiceContext
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_issues.settings import IssuesSettings
from hub_testkit.tokens import TEST_JWKS, issue_token

API_PORT = 18201
INBOUND = inbound_topic("issues")


class Processes:
    """Service processes started for one figure; stopped (SIGTERM, then SIGKILL) when done."""

    def __init__(self, args: argparse.Namespace, database: str, group: str) -> None:
        self.env = {
            **os.environ,
            "HUB_AUTH_JWKS": TEST_JWKS,  # the bench signs its callers' tokens with the test kit's key
            "HUB_KAFKA_BOOTSTRAP_SERVERS": args.kafka,
            "HUB_MONGO_URI": args.mongo,
            "HUB_MONGO_DB": database,
            "HUB_CONSUMER_GROUP": group,
            "HUB_DEMO_DATA": "true",
            "HUB_LOG_LEVEL": "WARNING",
            "HUB_LOG_FORMAT": "json",
        }
        self.running: list[subprocess.Popen] = []

    def start(self, role: str, port: int) -> None:
        env = {**self.env, "HUB_HTTP_PORT": str(port)}
        command = [sys.executable, "-m", "hub_issues", "--role", role]
        # Errors go to a log per process, so a replica that does not come up says why.
        log = open(Path(tempfile.gettempdir()) / f"hub-bench-scaling-{role}-{port}.log", "w")  # noqa: SIM115
        self.running.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log))

    def stop(self) -> None:
        for process in self.running:
            process.send_signal(signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


async def wait_ready(ports: list[int]) -> None:
    # Up to 3 minutes: replicas starting together on a database the growth bench has just filled
    # took longer than one minute to create their indexes here.
    async with httpx.AsyncClient() as client:
        for port in ports:
            for _ in range(720):
                try:
                    if (await client.get(f"http://127.0.0.1:{port}/health/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.25)
            else:
                log = Path(tempfile.gettempdir()) / f"hub-bench-scaling-api-{port}.log"
                raise RuntimeError(f"the API on port {port} did not become ready:\n{log.read_text()[-2000:]}")


async def api_figure(args: argparse.Namespace, replicas: int, run: str) -> float:
    processes = Processes(args, f"hub_bench_scale_{run}_api{replicas}", f"hub-bench-scale-{run}-api{replicas}")
    ports = [API_PORT + n for n in range(replicas)]
    try:
        for port in ports:
            processes.start("api", port)
        await wait_ready(ports)
        token = issue_token(sub="bench-resident", role="resident")
        headers = {"Authorization": f"Bearer {token}"}
        spread = random.Random(replicas)
        next_port = itertools.cycle(ports)
        limits = httpx.Limits(max_connections=args.concurrency * replicas)
        async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as client:

            async def post() -> None:
                body = {
                    "service_code": "litter",
                    "description": "Bags of rubbish",
                    "lat": spread.uniform(53.801, 53.829),
                    "lon": spread.uniform(-1.579, -1.521),
                }
                response = await client.post(f"http://127.0.0.1:{next(next_port)}/v1/issues", json=body)
                response.raise_for_status()

            for _ in range(5 * replicas):  # warm up every replica
                await post()
            remaining = args.requests
            started = time.perf_counter()

            async def client_loop() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    await post()

            await asyncio.gather(*(client_loop() for _ in range(args.concurrency)))
            return args.requests / (time.perf_counter() - started)
    finally:
        processes.stop()


async def group_members(args: argparse.Namespace, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=args.kafka)
    await admin.start()
    try:
        [description] = await admin.describe_consumer_groups([group])
        _, _, state, _, _, members = description.groups[0][:6]
        return len(members) if state == "Stable" else 0
    finally:
        await admin.close()


async def worker_figure(args: argparse.Namespace, workers: int, run: str) -> float:
    database, group = f"hub_bench_scale_{run}_w{workers}", f"hub-bench-scale-{run}-w{workers}"
    source = f"/partners/bench-{run}-w{workers}"
    processes = Processes(args, database, group)
    mongo = AsyncMongoClient(args.mongo)
    # Workers do not seed demo data (API processes do): write the hubs and categories first.
    ctx = ServiceContext(
        ISSUES, IssuesSettings(kafka_bootstrap_servers=args.kafka, mongo_uri=args.mongo, mongo_db=database)
    )
    await ctx.start()
    await ISSUES.seed_demo_data(ctx)
    await ctx.close()
    await start_group_at_end(args.kafka, group, ISSUES.consumes)  # earlier runs' events are not this figure's
    try:
        for n in range(workers):
            processes.start("worker", API_PORT + 50 + n)
        deadline = time.monotonic() + 120
        while await group_members(args, group) < workers:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{workers} workers did not join {group}")
            await asyncio.sleep(1)
        spread = random.Random(workers)
        records = [
            envelope.encode(
                topic=INBOUND,
                event_id=str(uuid.uuid4()),
                source=source,
                event_type=PartnerReportSubmitted.event_type,
                time=datetime.now(UTC),
                subject=f"R-{n}",
                data={
                    "partner_ref": f"R-{n}",
                    "service_code": "litter",
                    "description": f"Bags of rubbish {n}",
                    "location": {"lat": spread.uniform(53.801, 53.829), "lon": spread.uniform(-1.579, -1.521)},
                    "reporter_ref": f"tenant-{n}",
                },
            )
            for n in range(args.events)
        ]
        producer = AIOKafkaProducer(bootstrap_servers=args.kafka, acks="all", enable_idempotence=True)
        await producer.start()
        started = time.perf_counter()
        try:
            sent = [await producer.send(r.topic, r.value, key=r.key, headers=r.headers) for r in records]
            await asyncio.gather(*sent)
        finally:
            await producer.stop()
        issues = mongo[database]["issues"]
        while await issues.count_documents({"submitted_by": source}) < args.events:
            if time.perf_counter() - started > args.timeout:
                raise RuntimeError(f"{workers} workers did not finish within {args.timeout} s")
            await asyncio.sleep(0.2)
        return args.events / (time.perf_counter() - started)
    finally:
        processes.stop()
        await mongo.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=600, help="POSTs per API figure")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--events", type=int, default=1000, help="partner reports per worker figure")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--mongo", default=os.environ.get("HUB_MONGO_URI", "mongodb://127.0.0.1:27017"))
    parser.add_argument("--kafka", default=os.environ.get("HUB_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    args = parser.parse_args()
    run = uuid.uuid4().hex[:8]
    settings = IssuesSettings()
    await ensure_topics(args.kafka, [INBOUND], partitions=settings.kafka_topic_partitions, replication_factor=1)
    api = [await api_figure(args, n, run) for n in (1, 2)]
    workers = [await worker_figure(args, n, run) for n in (1, 2)]
    print(f"scaling bench  run={run}  cores={os.cpu_count()}  mongo={args.mongo}  kafka={args.kafka}")
    print(f"{'figure':52} {'per s':>10}")
    print(f"{'API: POST /v1/issues, 1 replica':52} {api[0]:10.1f}")
    print(f"{'API: POST /v1/issues, 2 replicas':52} {api[1]:10.1f}")
    print(f"{'worker: partner reports -> issues, 1 worker':52} {workers[0]:10.1f}")
    print(f"{'worker: partner reports -> issues, 2 workers':52} {workers[1]:10.1f}")
    print(f"API 2/1 = {api[1] / api[0]:.2f}   workers 2/1 = {workers[1] / workers[0]:.2f}")
    print(f"databases hub_bench_scale_{run}_* are left in place; `scripts/infra.sh wipe` clears the dev data.")


if __name__ == "__main__":
    asyncio.run(main())

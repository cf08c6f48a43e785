"""A worker process (--role worker) with HUB_WORKER_HTTP_PORT serves health and metrics, seeds demo
data like an API replica would, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pymongo import AsyncMongoClient

from hub_common.testing import REPO_ROOT

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "hub_issues", "--role", "worker"], env=env, cwd=REPO_ROOT, stderr=stderr
        )


async def test_worker_serves_probes_and_metrics_and_stops_on_sigterm(infra, unique, wait_until, tmp_path) -> None:
    port, database = free_port(), f"t_issues_probe_{unique}"
    env = {
        **os.environ,
        "HUB_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "HUB_MONGO_URI": infra.mongo_uri,
        "HUB_MONGO_DB": database,
        "HUB_CONSUMER_GROUP": f"t-issues-probe-{unique}",
        "HUB_WORKER_HTTP_PORT": str(port),
        "HUB_DEMO_DATA": "true",
        "HUB_LOG_FORMAT": "json",
    }
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:

            async def ready() -> bool:
                try:
                    return (await client.get("/health/ready")).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_until(ready, timeout_s=90)
            assert (await client.get("/health/live")).json() == {"status": "ok"}

            async def relay_reports() -> bool:
                return 'hub_outbox_backlog{service="issues"}' in (await client.get("/metrics")).text

            await wait_until(relay_reports, timeout_s=30)  # the relay's gauges live in the worker
            assert (await client.get("/v1/issues")).status_code == 404  # operational endpoints only
        mongo = AsyncMongoClient(infra.mongo_uri)
        try:
            assert await mongo[database]["hubs"].count_documents({}) == 2  # the demo hubs
        finally:
            await mongo.close()
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(worker.wait, 60) == 0, log.read_text()[-3000:]
    finally:
        if worker.poll() is None:
            worker.kill()

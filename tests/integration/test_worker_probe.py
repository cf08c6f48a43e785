"""A worker process (--role worker) with HUB_WORKER_HTTP_PORT serves health and metrics, seeds demo
data like an API replica would, and stops cleanly on SIGTERM."""

from __future__ import annotations

import httpx
import pytest
from pymongo import AsyncMongoClient

from hub_issues.settings import IssuesSettings

pytestmark = pytest.mark.integration


async def test_worker_serves_probes_and_metrics_and_stops_on_sigterm(
    make_settings, service_process, free_tcp_port, wait_until
) -> None:
    settings = make_settings(IssuesSettings, worker_http_port=free_tcp_port, demo_data=True)
    worker = service_process("issues", settings)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_tcp_port}") as client:

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

    mongo = AsyncMongoClient(settings.mongo_uri)
    try:  # written before the probe started serving
        assert await mongo[settings.mongo_db]["hubs"].count_documents({}) == 2
    finally:
        await mongo.close()
    worker.stop()  # SIGTERM, then SIGKILL after 30 s
    assert worker.process.returncode == 0, worker.log_path.read_text()[-3000:]

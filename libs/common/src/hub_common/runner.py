"""``python -m hub_<service> --role api|worker|all``: the same entry point for every service."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
from collections.abc import Iterator

import uvicorn

from hub_common.app import create_app, create_probe_app
from hub_common.logging import configure_logging, get_logger
from hub_common.service import ServiceContext, ServiceDefinition

ROLES = ("api", "worker", "all")


def main(definition: ServiceDefinition, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"hub_{definition.name}", description=definition.description)
    parser.add_argument(
        "--role",
        choices=ROLES,
        default=os.environ.get("HUB_ROLE", "all"),
        help="api: HTTP only; worker: outbox relay and consumers only; all: both (default, local runs)",
    )
    args = parser.parse_args(argv)
    settings = definition.settings_class()
    configure_logging(definition.name, settings.log_format, settings.log_level)
    log = get_logger("hub.runner")
    log.info("starting", role=args.role, kafka=settings.kafka_bootstrap_servers, mongo_db=settings.mongo_db)
    if args.role == "worker":
        asyncio.run(_run_worker(definition, settings))
        return
    app = create_app(definition, settings, run_worker=args.role == "all")
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        root_path=settings.root_path,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )


async def _run_worker(definition: ServiceDefinition, settings) -> None:
    ctx = ServiceContext(definition, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await ctx.start()
    probe = _ProbeServer(create_probe_app(ctx), settings) if settings.worker_http_port else None
    probe_task = asyncio.create_task(probe.serve(), name="worker-probe") if probe else None
    try:
        await ctx.run_worker(stop)
    finally:
        if probe_task is not None:
            probe.should_exit = True
            await probe_task
        await ctx.close()


class _ProbeServer(uvicorn.Server):
    """The worker's health and metrics endpoint; the worker, not uvicorn, handles the signals."""

    def __init__(self, app, settings) -> None:
        config = uvicorn.Config(
            app, host=settings.http_host, port=settings.worker_http_port, log_config=None, access_log=False
        )
        super().__init__(config)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

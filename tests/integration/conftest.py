"""Helpers for cross-service tests: read and write Kafka directly, run workers, wait for effects.

Also the machinery of the fault tests: services run as real ``python -m hub_<service>`` processes
(to be killed with SIGKILL), and a private Kafka + MongoDB pair on ports of its own (to be
stopped and restarted without disturbing the shared test pair other test sessions use).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from pydantic import SecretStr

from hub_common import envelope
from hub_common.contracts import all_topics, events_topic
from hub_common.envelope import KafkaRecord
from hub_common.kafka import ensure_topics, start_group_at_end
from hub_common.settings import HubSettings
from hub_testkit.infra import INFRA_SCRIPT, REPO_ROOT, InfraEndpoints, infra_env
from hub_testkit.processes import free_port


class KafkaTools:
    def __init__(self, bootstrap_servers: str) -> None:
        self.bootstrap_servers = bootstrap_servers

    async def ensure_contract_topics(self) -> None:
        await ensure_topics(self.bootstrap_servers, all_topics(), partitions=3, replication_factor=1)

    async def produce(self, topic: str, value: bytes, *, key: bytes | None, headers: list[tuple[str, bytes]]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap_servers, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            await producer.send_and_wait(topic, value, key=key, headers=headers)
        finally:
            await producer.stop()

    async def produce_all(self, records: Sequence[KafkaRecord], *, chunk: int = 0, pause_s: float = 0.0) -> None:
        """Send ``records`` through one producer, acknowledged by the broker; with ``chunk``, as a paced
        stream: ``chunk`` records at a time, ``pause_s`` apart, rather than one burst."""
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap_servers, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            size = chunk or len(records) or 1
            for start in range(0, len(records), size):
                deliveries = [
                    await producer.send(r.topic, r.value, key=r.key, headers=r.headers)
                    for r in records[start : start + size]
                ]
                await asyncio.gather(*deliveries)
                if pause_s:
                    await asyncio.sleep(pause_s)
        finally:
            await producer.stop()

    async def skip_history(self, group_id: str, topics: list[str]) -> None:
        """Commit ``group_id`` to the current end of ``topics``, so its consumer sees only new messages."""
        await start_group_at_end(self.bootstrap_servers, group_id, topics)

    async def collect(
        self,
        topic: str,
        matches: Callable[[ConsumerRecord], bool],
        *,
        count: int,
        timeout_s: float = 30.0,
        settle_s: float = 0.0,
    ) -> list[ConsumerRecord]:
        """Read ``topic`` from the start until ``count`` matching records arrived (then ``settle_s`` more)."""
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=self.bootstrap_servers,
            group_id=f"t-reader-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        found: list[ConsumerRecord] = []
        deadline = time.monotonic() + timeout_s
        settle_until: float | None = None
        try:
            while time.monotonic() < deadline:
                if settle_until is not None and time.monotonic() >= settle_until:
                    break
                batches = await consumer.getmany(timeout_ms=300)
                for records in batches.values():
                    found += [r for r in records if matches(r)]
                if len(found) >= count and settle_until is None:
                    settle_until = time.monotonic() + settle_s
        finally:
            await consumer.stop()
        return found

    async def published_per(
        self, service: str, event_type: str, key: str, *, expected: int, hub: str | None = None, subjects=None
    ) -> Counter:
        """How many distinct events of ``event_type`` ``service`` published per ``key`` (a field of their
        data), read from its events topic once ``expected`` of them arrived. The relay deletes an outbox
        record once Kafka has it, so the topic is the record of what was raised; a relay that died
        between publishing and deleting publishes again with the same ``ce_id`` (consumers drop the
        copy), which is why events are counted by id, not by copy."""

        def matches(record: ConsumerRecord) -> bool:
            headers = dict(record.headers)
            if headers.get("ce_type") != event_type.encode():
                return False
            if hub is not None and headers.get("ce_hubid") != hub.encode():
                return False
            return subjects is None or headers.get("ce_subject", b"").decode() in subjects

        records = await self.collect(events_topic(service), matches, count=expected, timeout_s=60, settle_s=2.0)
        ids: dict[Any, set[str]] = defaultdict(set)
        for record in records:
            event = envelope.decode(record.headers, record.key, record.value)
            ids[getattr(event.data, key)].add(event.id)
        return Counter({value: len(events) for value, events in ids.items()})


@pytest.fixture
async def kafka(infra: InfraEndpoints) -> KafkaTools:
    tools = KafkaTools(infra.kafka_bootstrap_servers)
    await tools.ensure_contract_topics()
    return tools


@pytest.fixture
async def background() -> AsyncIterator[Callable[[Callable[[asyncio.Event], Coroutine]], asyncio.Event]]:
    """Run worker loops (relay, consumer) in the background; each gets its own stop event."""
    running: list[tuple[asyncio.Event, asyncio.Task]] = []

    def start(loop_fn: Callable[[asyncio.Event], Coroutine]) -> asyncio.Event:
        stop = asyncio.Event()
        running.append((stop, asyncio.create_task(loop_fn(stop))))
        return stop

    yield start
    for stop, _ in running:
        stop.set()
    for _, task in running:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)


async def eventually(check: Callable[[], Awaitable[Any]], *, timeout_s: float = 30.0, interval_s: float = 0.1) -> Any:
    """Poll ``check`` until it returns a truthy value; fail with the last value after the timeout."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s}s (last value: {last!r})")


@pytest.fixture
def wait_until() -> Callable[..., Awaitable[Any]]:
    return eventually


# -- services as real processes ------------------------------------------------------------------


def settings_env(settings: HubSettings) -> dict[str, str]:
    """The ``HUB_*`` environment under which a service process reads exactly these settings."""
    env: dict[str, str] = {}
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list | tuple | dict):
            value = json.dumps(value)
        env[field.alias or f"HUB_{name.upper()}"] = str(value)
    return env


class ServiceProcess:
    """``python -m hub_<service> --role <role>`` with the given settings; its stderr goes to ``log_path``."""

    def __init__(self, service: str, role: str, settings: HubSettings, log_path: Path) -> None:
        self.service = service
        self.role = role
        self.settings = settings
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.log_offset = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> ServiceProcess:
        env = {**os.environ, **settings_env(self.settings), "HUB_LOG_FORMAT": "json"}
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0  # this run's lines
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own module, with our own interpreter
                [sys.executable, "-m", f"hub_{self.service}", "--role", self.role],
                env=env,
                cwd=REPO_ROOT,
                stdout=subprocess.DEVNULL,
                stderr=log,  # read it when a test fails
            )
        return self

    def kill(self) -> None:
        """SIGKILL: no chance to finish a batch, commit offsets, mark outbox records or release leases."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.running:
            assert self.process is not None
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    async def wait_for_log(self, event: str, timeout_s: float = 60.0) -> None:
        """Until this run of the process logged ``event`` (e.g. the consumer's "partitions assigned")."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.running:
                raise AssertionError(f"{self.service} {self.role} exited; see {self.log_path}")
            with self.log_path.open() as log:
                log.seek(self.log_offset)
                if f'"event": "{event}"' in log.read():
                    return
            await asyncio.sleep(0.2)
        raise AssertionError(f"{self.service} {self.role} did not log {event!r} within {timeout_s}s")

    async def wait_until_serving(self, timeout_s: float = 60.0) -> None:
        """For the api role: until ``/health/live`` answers (indexes ensured, routes mounted)."""
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as client:
            while time.monotonic() < deadline:
                if not self.running:
                    raise AssertionError(f"{self.service} {self.role} exited; see {self.log_path}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/health/live")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise AssertionError(f"{self.service} {self.role} did not serve within {timeout_s}s; see {self.log_path}")


@pytest.fixture
def service_process(tmp_path: Path) -> Iterator[Callable[..., ServiceProcess]]:
    """Start a service role as its own process: ``service_process("issues", settings, role="api")``.

    Processes still running when the test ends are stopped (SIGTERM, then SIGKILL).
    """
    started: list[ServiceProcess] = []

    def start(service: str, settings: HubSettings, *, role: str = "worker") -> ServiceProcess:
        process = ServiceProcess(service, role, settings, tmp_path / f"{service}-{role}.log").start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


# -- a private Kafka + MongoDB pair, to stop and start -------------------------------------------


class PrivateInfra(InfraEndpoints):
    """Kafka and SecantusDB run by ``scripts/infra.sh`` on free ports, with data, logs and pid files
    in a folder of their own: stopping and restarting them touches nothing any other test uses."""

    def __init__(self, home: Path) -> None:
        ports = {"kafka": free_port(), "controller": free_port(), "mongo": free_port()}
        super().__init__("local", f"127.0.0.1:{ports['kafka']}", f"mongodb://127.0.0.1:{ports['mongo']}")
        self.home = home
        self.env = infra_env(home, ports)

    def _script(self, command: str) -> None:
        subprocess.run([str(INFRA_SCRIPT), command], env=self.env, check=True, capture_output=True)  # noqa: S603

    def up(self) -> None:
        self._script("up")

    def down(self) -> None:
        subprocess.run([str(INFRA_SCRIPT), "down"], env=self.env, check=False, capture_output=True)  # noqa: S603


@pytest.fixture(scope="session")
def private_infra(infra: InfraEndpoints) -> Iterator[PrivateInfra]:
    """A Kafka + MongoDB pair for the fault tests alone (local infrastructure only), started when the
    first test asks for it. A test that stops one of them starts it again before it ends."""
    if not infra.can_stop_and_start:
        pytest.skip("needs the local Kafka and MongoDB processes, which the tests can stop and start")
    home = REPO_ROOT / ".hub" / "test-private" / uuid.uuid4().hex[:10]
    pair = PrivateInfra(home)
    try:
        pair.up()
        yield pair
    finally:
        pair.down()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
async def private_kafka(private_infra: PrivateInfra) -> KafkaTools:
    """Read and write the private broker, its contract topics created."""
    tools = KafkaTools(private_infra.kafka_bootstrap_servers)
    await tools.ensure_contract_topics()
    return tools


# -- a broker with SASL/SCRAM and ACLs, for partners' Kafka access ---------------------------------


class SaslKafka:
    """One broker run by ``scripts/infra.sh`` with a SASL_PLAINTEXT SCRAM-SHA-512 listener and the
    KRaft StandardAuthorizer (no ACL, no access: ``allow.everyone.if.no.acl.found=false``), as compose
    runs Kafka, on free ports in a folder of its own. ``admin`` is its super user over SASL; on its
    PLAINTEXT listener (loopback) anyone is, which the tests use for their own setup only."""

    def __init__(self, home: Path) -> None:
        ports = {"kafka": free_port(), "controller": free_port(), "mongo": free_port(), "sasl": free_port()}
        self.home = home
        self.plaintext_bootstrap = f"127.0.0.1:{ports['kafka']}"
        self.sasl_bootstrap = f"127.0.0.1:{ports['sasl']}"
        self.admin_password = uuid.uuid4().hex  # this broker's alone, thrown away with it
        self.env = {
            **infra_env(home, ports),
            "HUB_LOCAL_KAFKA_SASL_PORT": str(ports["sasl"]),
            "HUB_LOCAL_KAFKA_ADMIN_PASSWORD": self.admin_password,
        }

    def sasl_env(self, username: str, password: str) -> dict[str, str]:
        """``HUB_KAFKA_*`` for a client of the SASL listener (the CLI's settings)."""
        return {
            "HUB_KAFKA_BOOTSTRAP_SERVERS": self.sasl_bootstrap,
            "HUB_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "HUB_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "HUB_KAFKA_USERNAME": username,
            "HUB_KAFKA_PASSWORD": password,
        }

    def start(self) -> None:
        # Only the broker: the tests of partners' access need no database of their own.
        command = [str(INFRA_SCRIPT), "start-kafka"]
        done = subprocess.run(command, env=self.env, check=False, capture_output=True, text=True)  # noqa: S603
        if done.returncode:
            raise RuntimeError(f"the SASL broker did not start: {done.stderr.strip()} (logs in {self.home / 'logs'})")

    def stop(self) -> None:
        subprocess.run([str(INFRA_SCRIPT), "stop-kafka"], env=self.env, check=False, capture_output=True)  # noqa: S603


@pytest.fixture(scope="session")
def sasl_kafka(infra: InfraEndpoints) -> Iterator[SaslKafka]:
    """The SASL broker, started once, when the first test asks for it (local infrastructure only:
    the other modes bring no Kafka this suite can configure), its contract topics created."""
    if not infra.can_stop_and_start:
        pytest.skip("needs the local Kafka processes, which the tests can configure with SASL and ACLs")
    home = REPO_ROOT / ".hub" / "test-sasl" / uuid.uuid4().hex[:10]
    broker = SaslKafka(home)
    try:
        broker.start()
        asyncio.run(KafkaTools(broker.plaintext_bootstrap).ensure_contract_topics())
        yield broker
    finally:
        broker.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def free_tcp_port() -> int:
    """A port nothing listens on, e.g. for an API process's ``http_port``."""
    return free_port()

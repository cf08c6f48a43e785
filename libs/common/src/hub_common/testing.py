"""Test infrastructure chosen by ``HUB_TEST_INFRA`` (used by the repository's conftest.py).

- ``local`` (default): a throw-away Kafka + SecantusDB pair started by ``scripts/infra.sh`` on
  their own ports and folders (``.hub/test``), fresh for each test session, stopped at the end;
  if that pair is already up (e.g. ``make test`` started it) it is reused and left running.
- ``testcontainers``: the official ``apache/kafka`` and ``mongo`` images, where a Docker engine exists.
- ``external``: whatever ``HUB_KAFKA_BOOTSTRAP_SERVERS`` and ``HUB_MONGO_URI`` point at.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hub_common import envelope
from hub_common.contracts import events_topic

REPO_ROOT = Path(__file__).resolve().parents[4]
INFRA_SCRIPT = REPO_ROOT / "scripts" / "infra.sh"
TEST_HOME = REPO_ROOT / ".hub" / "test"
LOCAL_TEST_PORTS = {"kafka": 19092, "controller": 19093, "mongo": 37017}


@dataclass
class InfraEndpoints:
    mode: str
    kafka_bootstrap_servers: str
    mongo_uri: str

    @property
    def can_stop_and_start(self) -> bool:
        """Fault tests stop and restart the broker or database; only the local processes allow it."""
        return self.mode == "local"

    def _script(self, command: str) -> None:
        subprocess.run([str(INFRA_SCRIPT), command], env=local_infra_env(), check=True)  # noqa: S603

    def stop_kafka(self) -> None:
        self._script("stop-kafka")

    def start_kafka(self) -> None:
        self._script("start-kafka")

    def stop_mongo(self) -> None:
        self._script("stop-mongo")

    def start_mongo(self) -> None:
        self._script("start-mongo")


def infra_env(home: Path, ports: Mapping[str, int]) -> dict[str, str]:
    """The environment for ``scripts/infra.sh`` to run a pair with its folders under ``home`` on ``ports``."""
    return {
        **os.environ,
        "HUB_DATA_DIR": str(home / "data"),
        "HUB_LOGS_DIR": str(home / "logs"),
        "HUB_RUN_DIR": str(home / "run"),
        "HUB_LOCAL_KAFKA_PORT": str(ports["kafka"]),
        "HUB_LOCAL_KAFKA_CONTROLLER_PORT": str(ports["controller"]),
        "HUB_LOCAL_MONGO_PORT": str(ports["mongo"]),
    }


def local_infra_env() -> dict[str, str]:
    return infra_env(TEST_HOME, LOCAL_TEST_PORTS)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def local_infra() -> Iterator[InfraEndpoints]:
    kafka, mongo = LOCAL_TEST_PORTS["kafka"], LOCAL_TEST_PORTS["mongo"]
    already_up = _port_open(kafka) and _port_open(mongo)
    if not already_up:
        subprocess.run([str(INFRA_SCRIPT), "down"], env=local_infra_env(), check=True)  # noqa: S603
        shutil.rmtree(TEST_HOME / "data", ignore_errors=True)
        subprocess.run([str(INFRA_SCRIPT), "up"], env=local_infra_env(), check=True)  # noqa: S603
    try:
        yield InfraEndpoints("local", f"127.0.0.1:{kafka}", f"mongodb://127.0.0.1:{mongo}")
    finally:
        if not already_up:
            subprocess.run([str(INFRA_SCRIPT), "down"], env=local_infra_env(), check=False)  # noqa: S603


@contextmanager
def container_infra() -> Iterator[InfraEndpoints]:
    from testcontainers.kafka import KafkaContainer  # only installed with the 'containers' group
    from testcontainers.mongodb import MongoDbContainer

    kafka = KafkaContainer("apache/kafka:4.1.1").with_kraft()
    # A single-node replica set: transactions and change streams need one.
    mongo = MongoDbContainer("mongo:8.0").with_command("--replSet rs0 --bind_ip_all")
    with kafka, mongo:
        mongo.exec(
            ["mongosh", "--quiet", "--eval", "rs.initiate({_id:'rs0',members:[{_id:0,host:'localhost:27017'}]})"]
        )
        host, port = mongo.get_container_host_ip(), mongo.get_exposed_port(27017)
        yield InfraEndpoints(
            "testcontainers",
            kafka.get_bootstrap_server(),
            f"mongodb://{host}:{port}/?directConnection=true",
        )


@contextmanager
def external_infra() -> Iterator[InfraEndpoints]:
    yield InfraEndpoints(
        "external",
        os.environ.get("HUB_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        os.environ.get("HUB_MONGO_URI", "mongodb://127.0.0.1:27017"),
    )


async def discard_test_database(client, name: str) -> None:
    """Drop a test's database where it would outlive the session (``external``); elsewhere keep it.

    The local and container databases are thrown away with the session anyway, and dropping
    while other tests write makes SecantusDB's dropDatabase spin with its storage lock held
    (seen under load: every other connection then waits).
    """
    if os.environ.get("HUB_TEST_INFRA", "local") == "external":
        await client.drop_database(name)


def start_test_infra() -> contextlib.AbstractContextManager[InfraEndpoints]:
    mode = os.environ.get("HUB_TEST_INFRA", "local")
    factories = {"local": local_infra, "testcontainers": container_infra, "external": external_infra}
    if mode not in factories:
        raise ValueError(f"HUB_TEST_INFRA must be one of {', '.join(factories)}, not {mode!r}")
    return factories[mode]()


class HttpReceiver:
    """A real local HTTP endpoint (for webhook tests): records what it receives, answers as told."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses = list(statuses or [])  # answers in turn; then 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HttpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpMailbox:
    """A real local SMTP server (aiosmtpd) keeping every message it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller  # a test dependency

        self.messages: list[EmailMessage] = []
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def __enter__(self) -> SmtpMailbox:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def cloud_event(
    topic: str, event_type: str, source: str, subject: str, data: dict[str, Any], hub_id: str | None = None
) -> envelope.KafkaRecord:
    """An event encoded as the services put it on Kafka, with a fresh id and the time now: for tests
    that play another service or a partner by producing to the broker directly."""
    return envelope.encode(
        topic=topic,
        event_id=str(uuid.uuid4()),
        source=source,
        event_type=event_type,
        time=datetime.now(UTC),
        subject=subject,
        data=data,
        hub_id=hub_id,
    )


def issue_reported_record(issue_id: str, reporter_id: str | None = None) -> envelope.KafkaRecord:
    """An issues service report in Northfield, as the issues service publishes it."""
    data: dict[str, Any] = {
        "issue_id": issue_id,
        "hub_id": "hub-northfield",
        "service_code": "litter",
        "service_name": "Litter",
        "description": "Bags of rubbish by the bus stop",
        "location": {"lat": 53.81, "lon": -1.55},
        "requested_at": datetime.now(UTC).isoformat(),
    }
    if reporter_id is not None:
        data["reporter_id"] = reporter_id
    return cloud_event(
        events_topic("issues"), "hub.issues.issue.reported.v1", "/hub/issues", issue_id, data, hub_id="hub-northfield"
    )

"""Test infrastructure chosen by ``HUB_TEST_INFRA`` (the ``infra`` fixture of ``hub_testkit.plugin``).

- ``local`` (default): a throw-away Kafka + SecantusDB pair started by ``scripts/infra.sh`` on
  their own ports and folders (``.hub/test``), fresh for each test session, stopped at the end;
  if that pair is already up (e.g. ``make test`` started it) it is reused and left running.
- ``testcontainers``: the official ``apache/kafka`` and ``mongo`` images, where a Docker engine exists.
- ``external``: whatever ``HUB_KAFKA_BOOTSTRAP_SERVERS`` and ``HUB_MONGO_URI`` point at.

This package is a development dependency only: no service image contains it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def _repo_root() -> Path:
    """The checkout this testkit runs from: the nearest folder above it with ``scripts/infra.sh``."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "scripts" / "infra.sh").is_file():
            return folder
    raise RuntimeError("hub_testkit runs from a checkout of the repository (no scripts/infra.sh above it)")


REPO_ROOT = _repo_root()
INFRA_SCRIPT = REPO_ROOT / "scripts" / "infra.sh"
TEST_HOME = REPO_ROOT / ".hub" / "test"
# Two checkouts can run their suites side by side, each on its own pair: HUB_TEST_PORT_OFFSET=100
# moves the pair to 19192/19193/37117.
_OFFSET = int(os.environ.get("HUB_TEST_PORT_OFFSET", "0"))
LOCAL_TEST_PORTS = {"kafka": 19092 + _OFFSET, "controller": 19093 + _OFFSET, "mongo": 37017 + _OFFSET}


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

"""The real stack for the web app's browser tests: the services and the web app as processes.

Each service runs as ``python -m hub_<service> --role all`` on the test Kafka and MongoDB with its
own databases and consumer groups (started at the end of the topics, so other tests' events are
not replayed) and its demo data; notifications sends email to a real local SMTP server and links
to this web app. Nothing is mocked.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from web_testkit import make_client  # noqa: F401 - the page tests' fixture

from hub_common.contracts import all_topics
from hub_common.contracts.topics import SERVICES
from hub_common.kafka import ensure_topics, start_group_at_end
from hub_testkit.infra import InfraEndpoints
from hub_testkit.keycloak import OIDC_WEB_TEST_PORT, Keycloak
from hub_testkit.plugin import ISSUER
from hub_testkit.processes import free_port, stop_all, wait_ready
from hub_testkit.servers import SmtpMailbox
from hub_testkit.tokens import TEST_JWKS

# Every service runs (a privacy request waits for each one's answer); the web app calls these.
WEB_CALLS = ("volunteers", "issues", "assets", "notifications", "participation")


async def start_groups_at_end(bootstrap: str, groups: dict[str, list[str]]) -> None:
    """Commit each consumer group at the current end of its topics: it sees only what happens from now."""
    await ensure_topics(bootstrap, all_topics(), partitions=3, replication_factor=1)
    for group, topics in groups.items():
        await start_group_at_end(bootstrap, group, topics)


def consumed_topics(service: str) -> list[str]:
    module = __import__(f"hub_{service}.__main__", fromlist=["DEFINITION"])
    return list(module.DEFINITION.consumes)


# The identity service is the session's own issuer (hub_testkit.issuer), signing with the test kit's key.
STACK_SERVICES = tuple(s for s in SERVICES if s != "identity")


@dataclass
class Stack:
    """The running services and web app; ``web_url`` is where the browser goes."""

    infra: InfraEndpoints
    logs: Path
    mailbox: SmtpMailbox
    unique: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    # The web app's own signing key (cookies, check-in codes), set rather than derived so that tests
    # can make a code as staff pages do, e.g. an old one, whatever the platform's token setup is.
    session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    ports: dict[str, int] = field(default_factory=dict)
    processes: list[subprocess.Popen] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def web_url(self) -> str:
        return self.url("web")

    def _web_env(self, port: int) -> dict[str, str]:
        return {
            "HUB_WEB_HTTP_PORT": str(port),
            **{f"HUB_WEB_{s.upper()}_URL": self.url(s) for s in WEB_CALLS},
            "HUB_WEB_SESSION_SECRET": self.session_secret,
            "HUB_WEB_DEMO_ACCOUNTS": "true",
            "HUB_WEB_DEV_SIGN_IN": "true",
            "HUB_WEB_SERVICE_NAME": "Hub Test",
            "HUB_WEB_HUB_COLOURS": '{"hub-northfield": "#1d4f91", "hub-riverside": "#00703c"}',
            # No internet here: a tile server that refuses at once, so the maps show their fallback
            # (the hub outlines) as they would when a deployment's tile server is down.
            "HUB_MAP_TILE_URL": f"http://127.0.0.1:{free_port()}/tiles/{{z}}/{{x}}/{{y}}.png",
            "HUB_MAP_TILE_ATTRIBUTION": "Test Tiles",
            "HUB_AUTH_JWKS": TEST_JWKS,
            "HUB_ISSUER_URL": ISSUER["url"],
            "HUB_ENVIRONMENT": "test",
            "HUB_LOG_LEVEL": "WARNING",
        }

    def start_oidc_web(self, keycloak: Keycloak) -> str:
        """A second web app on the same services that signs staff in through ``keycloak``; its URL.
        It listens on the one port the realm registers a callback for."""
        self.ports["oidc-web"] = OIDC_WEB_TEST_PORT
        env = {
            **self._web_env(OIDC_WEB_TEST_PORT),
            **keycloak.web_env(self.url("oidc-web")),
            "HUB_WEB_DEMO_ACCOUNTS": "false",  # as a council runs it: the provider's button alone
        }
        self._start("oidc-web", "hub_web", env, "/health/live")
        return self.url("oidc-web")

    def _start(self, name: str, module: str, env: dict[str, str], ready_path: str) -> None:
        log = self.logs / f"{name}.log"
        with log.open("w") as out:
            process = subprocess.Popen(  # noqa: S603 - our own modules, with our own interpreter
                [sys.executable, "-m", module, *(["--role", "all"] if module != "hub_web" else [])],
                env={**os.environ, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        wait_ready(self.url(name) + ready_path, process, log)

    def start(self) -> Stack:
        self.ports = {name: free_port() for name in (*STACK_SERVICES, "web")}
        groups = {f"t-web-{s}-{self.unique}": consumed_topics(s) for s in STACK_SERVICES}
        asyncio.run(start_groups_at_end(self.infra.kafka_bootstrap_servers, groups))
        for service in STACK_SERVICES:
            env = {
                "HUB_KAFKA_BOOTSTRAP_SERVERS": self.infra.kafka_bootstrap_servers,
                "HUB_MONGO_URI": self.infra.mongo_uri,
                "HUB_MONGO_DB": f"t_web_{service}_{self.unique}",
                "HUB_CONSUMER_GROUP": f"t-web-{service}-{self.unique}",
                "HUB_HTTP_PORT": str(self.ports[service]),
                "HUB_DEMO_DATA": "true",
                "HUB_LOG_LEVEL": "WARNING",
                "HUB_LOG_FORMAT": "console",
                "HUB_AUTH_JWKS": TEST_JWKS,
                "HUB_ISSUER_URL": ISSUER["url"],
                "HUB_ENVIRONMENT": "test",
                "HUB_OUTBOX_POLL_INTERVAL_S": "0.2",
                "HUB_SMTP_PORT": str(self.mailbox.port),
                "HUB_PUBLIC_BASE_URL": self.web_url,
                # A first milestone at 2 hours (volunteers only reads it): one logged shift reaches it.
                "HUB_MILESTONE_HOURS": "[2, 10, 50, 100, 250, 500]",
            }
            self._start(service, f"hub_{service}", env, "/health/ready")
        web_env = self._web_env(self.ports["web"])
        self._start("web", "hub_web", web_env, "/health/live")
        return self

    def stop(self) -> None:
        stop_all(self.processes)  # a test stack: its databases are throw-away


@pytest.fixture(scope="session")
def stack(infra: InfraEndpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with SmtpMailbox() as mailbox:
        running = Stack(infra, tmp_path_factory.mktemp("web-stack"), mailbox)
        try:
            yield running.start()
        finally:
            running.stop()


@pytest.fixture(scope="session")
def oidc_web(stack: Stack, keycloak: Keycloak) -> str:
    """The URL of a web app on the stack's services whose staff sign in through the real Keycloak."""
    return stack.start_oidc_web(keycloak)

"""The pytest fixtures every suite shares: real infrastructure and per-test isolation.

Infrastructure is picked by HUB_TEST_INFRA (local | testcontainers | external); see
:mod:`hub_testkit.infra`. Each test gets its own databases and consumer groups, so tests never see
each other's state. Loaded by the repository's root ``conftest.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from hub_common.service import ServiceContext, ServiceDefinition
from hub_common.settings import HubSettings
from hub_testkit.infra import InfraEndpoints, discard_test_database, start_test_infra
from hub_testkit.issuer import running_issuer
from hub_testkit.keycloak import Keycloak, keycloak_installed, keycloak_must_run, local_keycloak
from hub_testkit.servers import HttpReceiver, SmtpMailbox
from hub_testkit.tokens import TEST_JWKS

ISSUER: dict[str, str] = {}  # the session's test issuer, once the infrastructure is up


@pytest.fixture(scope="session")
def infra() -> Iterator[InfraEndpoints]:
    # The token issuer runs beside Kafka and MongoDB: services under test ask it for tokens.
    with start_test_infra() as endpoints, running_issuer(endpoints.kafka_bootstrap_servers, endpoints.mongo_uri) as url:
        ISSUER["url"] = url
        yield endpoints


@pytest.fixture(scope="session")
def keycloak() -> Iterator[Keycloak]:
    """The real OpenID provider (Keycloak, a local process), started once for the tests that ask for it."""
    if not keycloak_installed():
        message = "needs Keycloak (make install; it needs Java 21 or newer)"
        if keycloak_must_run():
            pytest.fail(message)
        pytest.skip(message)
    with local_keycloak() as provider:
        yield provider


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def make_settings(infra: InfraEndpoints, unique: str) -> Callable[..., HubSettings]:
    """Settings for one service in this test: its own database and consumer group."""

    def make(settings_class: type[HubSettings], **overrides) -> HubSettings:
        return test_settings(infra, settings_class, unique, **overrides)

    return make


def test_settings(infra: InfraEndpoints, settings_class: type[HubSettings], unique: str | None = None, **overrides):
    """Settings of a service under test: its own database and consumer group on the test infrastructure
    (also for fixtures wider than one test, which cannot use ``make_settings``)."""
    name, unique = settings_class.service_name, unique or uuid.uuid4().hex[:10]
    values = {
        "kafka_bootstrap_servers": infra.kafka_bootstrap_servers,
        "mongo_uri": infra.mongo_uri,
        "mongo_db": f"t_{name}_{unique}",
        "consumer_group_override": f"t-{name}-{unique}",
        "log_format": "console",
        "environment": "test",
        "outbox_poll_interval_s": 0.2,
        "consumer_backoff_initial_s": 0.05,
        "auth_jwks": TEST_JWKS,  # the test kit's signing key (hub_testkit.tokens), verified like the issuer's
        "issuer_url": ISSUER.get("url", ""),  # the session's issuer (hub_testkit.issuer), signing with it
        **overrides,
    }
    return settings_class(**values)


test_settings.__test__ = False  # a helper, not a test


@pytest.fixture
async def service_context(make_settings) -> AsyncIterator[Callable[..., ServiceContext]]:
    """Start a service's context (indexes created) against the test infrastructure; drop its db after."""
    contexts: list[ServiceContext] = []

    async def start(definition: ServiceDefinition, **overrides) -> ServiceContext:
        ctx = ServiceContext(definition, make_settings(definition.settings_class, **overrides))
        await ctx.start()
        contexts.append(ctx)
        return ctx

    yield start
    for ctx in contexts:
        await discard_test_database(ctx.client, ctx.settings.mongo_db)
        await ctx.close()


@pytest.fixture
def http_receiver() -> type[HttpReceiver]:
    """Real local HTTP endpoints: ``with http_receiver([503, 200]) as endpoint: ... endpoint.url``."""
    return HttpReceiver


@pytest.fixture
def smtp_server() -> Iterator[SmtpMailbox]:
    """A real SMTP server on a free local port; ``.port`` to send to, ``.to(address)`` to read."""
    with SmtpMailbox() as mailbox:
        yield mailbox

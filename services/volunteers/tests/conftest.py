"""Fixtures of the volunteers tests: the app on the real test MongoDB, shared per module; a fresh hub per test.

The helpers live in ``volunteers_testkit`` (made importable here, as --import-mode=importlib needs).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from volunteers_testkit import Api, World

from hub_common.app import create_app
from hub_common.service import ServiceContext
from hub_testkit.infra import InfraEndpoints, discard_test_database
from hub_volunteers.__main__ import DEFINITION
from hub_volunteers.settings import VolunteersSettings


@pytest.fixture(scope="module")
async def api(infra: InfraEndpoints) -> AsyncIterator[Api]:
    unique = uuid.uuid4().hex[:10]
    settings = VolunteersSettings(
        kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        mongo_uri=infra.mongo_uri,
        mongo_db=f"t_volunteers_{unique}",
        log_format="console",
        environment="test",
    )
    app = create_app(DEFINITION, settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            ctx: ServiceContext = app.state.ctx
            try:
                yield Api(client, settings, ctx)
            finally:
                await discard_test_database(ctx.client, settings.mongo_db)


@pytest.fixture
def world(api: Api) -> World:
    return World(api)

"""Fixtures of the assets tests: the real app (real MongoDB) with tokens for each role."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from assets_test_support import Api

from hub_assets.__main__ import DEFINITION
from hub_assets.settings import AssetsSettings
from hub_common.app import create_app
from hub_common.service import ServiceContext
from hub_testkit.infra import discard_test_database


@pytest.fixture
async def api(make_settings) -> AsyncIterator[Api]:
    settings = make_settings(AssetsSettings)
    app = create_app(DEFINITION, settings)
    ctx: ServiceContext = app.state.ctx
    async with LifespanManager(app) as manager:
        try:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://assets.test") as client:
                yield Api(client, settings, ctx)
        finally:
            await discard_test_database(ctx.client, settings.mongo_db)

"""Fixtures of the volunteers tests: the app on the real test MongoDB, shared per module; a fresh hub per test.

The helpers live in ``volunteers_testkit``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from volunteers_testkit import Api, World

from hub_testkit.infra import InfraEndpoints
from hub_testkit.plugin import test_settings
from hub_volunteers.__main__ import DEFINITION
from hub_volunteers.settings import VolunteersSettings


@pytest.fixture(scope="module")
async def api(infra: InfraEndpoints) -> AsyncIterator[Api]:
    async with Api.running(DEFINITION, test_settings(infra, VolunteersSettings)) as running:
        yield running


@pytest.fixture
def world(api: Api) -> World:
    return World(api)

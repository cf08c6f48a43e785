"""The identity suite's fixtures: the real issuer on the test MongoDB, and tokens it signs."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from hub_common.auth import TokenVerifier
from hub_identity.__main__ import DEFINITION
from hub_identity.settings import IdentitySettings
from hub_testkit.plugin import test_settings
from hub_testkit.service_api import ServiceApi

__all__ = ["CLI", "NOTIFICATIONS", "WEB", "IdentityApi", "api", "basic", "identity_app"]

WEB = ("hub-web", "dev-web-secret")
NOTIFICATIONS = ("hub-notifications", "dev-notifications-secret")
CLI = ("hub-cli", "dev-cli-secret")
WIPED_EACH_TIME = ("partners", "key_ring", "outbox", "idempotency_keys")


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


class IdentityApi(ServiceApi[IdentitySettings]):
    async def ask(self, client: tuple[str, str] = CLI, **form: Any) -> httpx.Response:
        body = {"grant_type": "client_credentials", **form}
        return await self.client.post("/oauth/token", data=body, headers=basic(*client))

    async def operator(self) -> dict[str, str]:
        response = await self.ask(CLI)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def verifier(self) -> TokenVerifier:
        """A verifier as every other service has one, reading this issuer's JWKS over its API."""

        async def jwks() -> dict[str, Any]:
            return (await self.client.get("/.well-known/jwks.json")).json()

        return TokenVerifier(
            jwks, issuer=self.settings.auth_issuer, audience=self.settings.auth_audience, min_refetch_s=0
        )

    async def add_partner(self, partner_id: str = "housing-north", **fields: Any) -> dict[str, Any]:
        body = {
            "id": partner_id,
            "organisation": "Northfield Housing",
            "contacts": [{"name": "Integration desk", "email": "desk@housing.example"}],
            "hubs": ["hub-northfield"],
            "consumes": ["hub.issues.issue.reported.v1"],
            "publishes": ["hub.issues.report.submitted.v1"],
            **fields,
        }
        response = await self.client.post("/v1/partners", json=body, headers=await self.operator())
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture(scope="module")
async def identity_app(infra) -> AsyncIterator[IdentityApi]:
    settings = test_settings(infra, IdentitySettings, key_publish_ahead_s=0)
    async with IdentityApi.running(DEFINITION, settings) as running:
        yield running


@pytest.fixture
async def api(identity_app: IdentityApi) -> IdentityApi:
    for name in WIPED_EACH_TIME:
        await identity_app.db[name].delete_many({})
    identity_app.ctx.components.use_cases.keys._cached = None
    return identity_app

"""The identity service as the platform's one issuer, every service a real process verifying against
its JWKS over HTTP (no key given to them): a partner onboarded through the registry posts Open311
reports with its client-credentials token, for the hub it is granted only; a revoked partner gets no
more tokens; and a key rotation keeps every service accepting tokens, old and new, throughout."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt
import pytest

from hub_assets.settings import AssetsSettings
from hub_identity.settings import IdentitySettings
from hub_issues.settings import IssuesSettings
from hub_notifications.settings import NotificationsSettings
from hub_participation.settings import ParticipationSettings
from hub_testkit.processes import free_port
from hub_volunteers.settings import VolunteersSettings

pytestmark = pytest.mark.integration

OPERATOR = ("hub-cli", "dev-cli-secret")
NORTHFIELD, RIVERSIDE = "hub-northfield", "hub-riverside"


def report(api_key: str, lat: str = "53.8150", lon: str = "-1.5500") -> dict[str, str]:
    return {"api_key": api_key, "service_code": "litter", "lat": lat, "long": lon, "description": "Dumped bags"}


async def token(client: httpx.AsyncClient, issuer: str, credentials: tuple[str, str]) -> str:
    response = await client.post(f"{issuer}/oauth/token", data={"grant_type": "client_credentials"}, auth=credentials)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


VERIFIERS = {
    "issues": IssuesSettings,
    "volunteers": VolunteersSettings,
    "assets": AssetsSettings,
    "notifications": NotificationsSettings,
    "participation": ParticipationSettings,
}


@pytest.fixture
async def platform(service_process, make_settings):
    """The issuer, and every other service's API trusting it alone (its JWKS at its URL)."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    trust = {"auth_issuer": issuer, "auth_jwks": "", "issuer_url": ""}
    identity = service_process(
        "identity",
        make_settings(IdentitySettings, http_port=port, key_publish_ahead_s=6, **trust),
        role="api",
    )
    services = {
        name: service_process(
            name,
            make_settings(settings, http_port=free_port(), demo_data=name == "issues", **trust),
            role="api",
        )
        for name, settings in VERIFIERS.items()
    }
    for process in (identity, *services.values()):
        await process.wait_until_serving(timeout_s=90)
    return issuer, services


async def test_a_partner_onboarded_in_the_registry_reports_for_its_granted_hub_only(platform) -> None:
    issuer, services = platform
    issues = services["issues"]
    async with httpx.AsyncClient(timeout=30) as client:
        operator = {"Authorization": f"Bearer {await token(client, issuer, OPERATOR)}"}
        added = await client.post(
            f"{issuer}/v1/partners",
            json={"id": "northfield-housing", "organisation": "Northfield Housing", "hubs": [NORTHFIELD],
                  "publishes": ["hub.issues.report.submitted.v1"]},
            headers=operator,
        )  # fmt: skip
        assert added.status_code == 201, added.text
        credentials = ("northfield-housing", added.json()["client_secret"])
        api_key = await token(client, issuer, credentials)

        granted = await client.post(f"{issues.base_url}/open311/v2/requests.json", data=report(api_key))
        assert granted.status_code in (200, 201), granted.text
        # A point in Riverside: the report belongs to a hub this partner is not granted.
        other = await client.post(
            f"{issues.base_url}/open311/v2/requests.json", data=report(api_key, "53.7850", "-1.5500")
        )
        assert other.status_code == 403, other.text

        revoked = await client.post(f"{issuer}/v1/partners/northfield-housing/revoke", headers=operator)
        assert revoked.status_code == 200
        refused = await client.post(
            f"{issuer}/oauth/token", data={"grant_type": "client_credentials"}, auth=credentials
        )
        assert refused.status_code == 401


async def test_a_key_rotation_keeps_every_service_accepting_tokens_throughout(platform) -> None:
    issuer, services = platform
    async with httpx.AsyncClient(timeout=30) as client:
        old = await token(client, issuer, OPERATOR)
        checked = {"tokens": 0, "refused": []}

        async def keep_calling(stop: asyncio.Event) -> None:
            """Every service, with the old token and a fresh one each round, as clients would."""
            while not stop.is_set():
                fresh = await token(client, issuer, OPERATOR)
                for service in services.values():
                    for bearer in (old, fresh):
                        response = await client.get(
                            f"{service.base_url}/v1/audit/access", headers={"Authorization": f"Bearer {bearer}"}
                        )
                        checked["tokens"] += 1
                        if response.status_code != 200:
                            checked["refused"].append(
                                (service.service, jwt.get_unverified_header(bearer)["kid"], response.text)
                            )
                await asyncio.sleep(0.2)

        stop = asyncio.Event()
        caller = asyncio.create_task(keep_calling(stop))
        try:
            await asyncio.sleep(1)  # the services have fetched and cached the first key
            rotated = await client.post(f"{issuer}/v1/keys/rotate", headers={"Authorization": f"Bearer {old}"})
            assert rotated.status_code == 200, rotated.text
            new_kid = next(k["kid"] for k in rotated.json() if k["state"] == "next")
            # Until the new key signs (6 s here), and a while after: the services see fresh tokens of the new key.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                fresh = await token(client, issuer, OPERATOR)
                if jwt.get_unverified_header(fresh)["kid"] == new_kid:
                    break
                await asyncio.sleep(0.5)
            else:
                raise AssertionError("the new key never started signing")
            await asyncio.sleep(2)
        finally:
            stop.set()
            await caller
        assert checked["refused"] == [] and checked["tokens"] > 4 * 2 * len(services)
        assert jwt.get_unverified_header(old)["kid"] != new_kid  # the old token outlived the switch, still accepted

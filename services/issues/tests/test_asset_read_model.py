"""The asset read model built from the assets service's events: upserts, retirements, stale snapshots."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from issues_testkit import NORTHFIELD, deliver

from hub_common.contracts.assets import AssetRegistered, AssetRetired, AssetUpdated
from hub_common.envelope import Envelope
from hub_issues.adapters.assets import ASSETS

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


def envelope(data, at: datetime) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()), source="/hub/assets", type=data.event_type, time=at, subject=data.asset_id, data=data
    )


def snapshot(cls, name: str, status: str = "active"):
    return cls(asset_id="asset-1", hub_id=NORTHFIELD, kind="space", name=name, status=status)


async def test_register_update_retire_and_ignore_older_snapshots(api) -> None:
    assets = api.ctx.db[ASSETS]
    await deliver(api, envelope(snapshot(AssetRegistered, "Bench by the pond"), T0))
    assert (await assets.find_one({"_id": "asset-1"}))["name"] == "Bench by the pond"

    await deliver(api, envelope(snapshot(AssetUpdated, "Oak bench"), T0 + timedelta(hours=2)))
    await deliver(api, envelope(snapshot(AssetUpdated, "Late copy"), T0 + timedelta(hours=1)))  # older: ignored
    doc = await assets.find_one({"_id": "asset-1"})
    assert doc["name"] == "Oak bench" and doc["as_of"] == T0 + timedelta(hours=2)

    ok = await api.report(service_code="damaged_bench", attributes={"dangerous": "no"}, asset_id="asset-1")
    assert ok.status_code == 201, ok.text

    retired = AssetRetired(asset_id="asset-1", hub_id=NORTHFIELD, kind="space", retired_at=T0 + timedelta(hours=3))
    await deliver(api, envelope(retired, T0 + timedelta(hours=3)))
    await deliver(api, envelope(snapshot(AssetUpdated, "Resurrected?"), T0 + timedelta(hours=2, minutes=30)))
    doc = await assets.find_one({"_id": "asset-1"})
    assert doc["status"] == "retired" and doc["name"] == "Oak bench"
    refused = await api.report(service_code="damaged_bench", attributes={"dangerous": "no"}, asset_id="asset-1")
    assert refused.status_code == 422


async def test_redelivery_of_the_same_event_is_harmless(api) -> None:
    event = envelope(snapshot(AssetRegistered, "Community garden"), T0)
    await deliver(api, event)
    await deliver(api, event)
    assert await api.count(ASSETS) == 1
    assert (await api.ctx.db[ASSETS].find_one({"_id": "asset-1"}))["event_id"] == event.id


async def test_the_service_consumes_assets_and_inbound_and_handles_their_types(api) -> None:
    from hub_issues.__main__ import DEFINITION

    assert "hub.assets.events" in DEFINITION.consumes
    assert set(api.ctx.components.handlers) == {
        "hub.assets.asset.registered.v1",
        "hub.assets.asset.updated.v1",
        "hub.assets.asset.retired.v1",
        "hub.issues.report.submitted.v1",
        "hub.issues.agency_update.submitted.v1",
        "hub.participation.forum_action.completed.v1",
        "hub.participation.pb_project.delivered.v1",
        "hub.participation.action.progress_published.v1",
        "hub.notifications.privacy_request.opened.v1",
        "hub.identity.partner.registered.v1",
        "hub.identity.partner.grants_changed.v1",
        "hub.identity.partner.revoked.v1",
    }
    assert "hub.issues.inbound" in DEFINITION.consumes and "hub.privacy" in DEFINITION.consumes

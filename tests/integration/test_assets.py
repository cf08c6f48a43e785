"""Assets across Kafka: an issue reported against an asset opens maintenance on it, exactly once."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from hub_assets.__main__ import DEFINITION as ASSETS
from hub_assets.adapters.assets import AssetRepository
from hub_assets.adapters.maintenance import MAINTENANCE
from hub_assets.domain.assets import AssetFields
from hub_common import envelope
from hub_common.auth import Principal
from hub_common.contracts import dlt_topic, events_topic, inbound_topic
from hub_common.contracts.assets import DirectoryEntrySubmitted
from hub_common.contracts.issues import IssueReported
from hub_testkit.outbox import outbox_events
from hub_testkit.partners import grant_partner

pytestmark = pytest.mark.integration


def issue_record(issue_id: str, asset_id: str | None, event_id: str | None = None) -> envelope.KafkaRecord:
    data = IssueReported(
        issue_id=issue_id,
        hub_id="hub-northfield",
        service_code="broken-equipment",
        service_name="Broken equipment",
        description="The hall's fire door does not close",
        location={"lat": 53.815, "lon": -1.55},
        asset_id=asset_id,
        reporter_id="resident-42",
        requested_at=datetime.now(UTC),
    )
    return envelope.encode(
        topic=events_topic("issues"),
        event_id=event_id or str(uuid.uuid4()),
        source="/hub/issues",
        event_type=IssueReported.event_type,
        time=datetime.now(UTC),
        subject=issue_id,
        data=data.model_dump(mode="json"),
        hub_id="hub-northfield",
    )


async def test_issue_reported_against_an_asset_opens_maintenance_once(
    service_context, kafka, background, wait_until, unique
):
    assets = await service_context(ASSETS)
    service = assets.components.use_cases.assets
    staff = Principal(sub="staff-1", role="staff", hubs=("hub-northfield",))
    hall = await service.register(
        staff,
        AssetFields(kind="room", hub_id="hub-northfield", name="Main Hall", location={"lat": 53.815, "lon": -1.55}),
    )
    issue_id, event_id = f"issue-{unique}", str(uuid.uuid4())
    record = issue_record(issue_id, hall.id, event_id)
    other = issue_record(f"other-{unique}", None)  # an issue not about an asset: nothing to do

    background(assets.consumer().run)
    for message in (record, other, record):  # the same report delivered twice
        await kafka.produce(message.topic, message.value, key=message.key, headers=message.headers)
    # A second event for the same issue (e.g. a partner re-sent it with a new ce_id) changes nothing either.
    resent = issue_record(issue_id, hall.id)
    await kafka.produce(resent.topic, resent.value, key=resent.key, headers=resent.headers)

    found = await wait_until(lambda: assets.db[MAINTENANCE].find_one({"issue_id": issue_id}))
    assert found["asset_id"] == hall.id and found["status"] == "open" and found["source"] == "issue"
    assert "fire door" in found["summary"]
    await wait_until(lambda: _inbox_has(assets, resent))
    assert await assets.db[MAINTENANCE].count_documents({}) == 1
    [opened] = await outbox_events(assets.db, {"type": "hub.assets.maintenance.opened.v1"})
    assert opened["subject"] == hall.id and opened["data"]["issue_id"] == issue_id
    assert "resident-42" not in str(opened["data"])
    assert (await AssetRepository(assets.db).get(hall.id)).status == "active"

    # The relay publishes it to partners on hub.assets.events, keyed by the asset, with hub and location.
    background(assets.relay().run)
    [published] = await kafka.collect(
        events_topic("assets"),
        lambda r: _header(r, "ce_type") == "hub.assets.maintenance.opened.v1" and r.key == hall.id.encode(),
        count=1,
    )
    assert _header(published, "ce_hubid") == "hub-northfield"
    assert _header(published, "ce_subject") == hall.id
    assert json.loads(published.value)["location"] == {"lat": 53.815, "lon": -1.55}


def _header(record, name: str) -> str | None:
    return next((v.decode() for k, v in record.headers if k == name), None)


async def test_partner_keeps_its_directory_entry_through_hub_assets_inbound(
    service_context, kafka, background, wait_until, unique
):
    assets = await service_context(ASSETS)
    entry_id, partner = str(uuid.uuid4()), f"partner-{unique}"
    for who in (partner, "someone-else"):
        await grant_partner(assets.db, who, hubs=["hub-riverside"], publishes=[DirectoryEntrySubmitted.event_type])
    data = DirectoryEntrySubmitted(
        entry_id=entry_id,
        partner_id=partner,
        hub_id="hub-riverside",
        kind="service",
        name="Riverside Repair Cafe",
        tags=["repairs"],
        service={"offer": "Bring broken things; volunteers fix them", "schedule": "First Saturday, 10:00-13:00"},
    )
    mine = envelope.encode(
        topic=inbound_topic("assets"),
        event_id=str(uuid.uuid4()),
        source=f"/partners/{partner}",
        event_type=DirectoryEntrySubmitted.event_type,
        time=datetime.now(UTC),
        subject=entry_id,
        data=data.model_dump(mode="json"),
    )
    spoofed = envelope.encode(
        topic=inbound_topic("assets"),
        event_id=str(uuid.uuid4()),
        source="/partners/someone-else",
        event_type=DirectoryEntrySubmitted.event_type,
        time=datetime.now(UTC),
        subject=entry_id,
        data={**data.model_dump(mode="json"), "name": "Spoofed"},
    )
    for message in (mine, spoofed):
        await kafka.produce(message.topic, message.value, key=message.key, headers=message.headers)
    background(assets.consumer().run)

    asset = await wait_until(lambda: AssetRepository(assets.db).find(entry_id))
    assert asset.owner_id == partner and asset.kind == "service"
    spoofed_id = _header(spoofed, "ce_id")
    [dead] = await kafka.collect(dlt_topic("assets"), lambda r: _header(r, "ce_id") == spoofed_id, count=1)
    assert "may not submit" in _header(dead, "hub_dlt_error")
    assert (await AssetRepository(assets.db).get(entry_id)).name == "Riverside Repair Cafe"


async def _inbox_has(ctx, record: envelope.KafkaRecord) -> bool:
    event_id = next(v.decode() for k, v in record.headers if k == "ce_id")
    return await ctx.db["inbox"].find_one({"_id": f"/hub/issues|{event_id}"}) is not None

"""The issues service against real Kafka and MongoDB.

- A report made over Open311 POST is visible over Open311 GET (JSON and XML) and its events
  leave through the outbox relay as valid CloudEvents (read back with the official SDK).
- A report about an asset known from an assets-service event is accepted; an unknown asset is not.
"""

from __future__ import annotations

import contextlib
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from asgi_lifespan import LifespanManager
from cloudevents.core.bindings import kafka as ce_kafka

from hub_common import envelope
from hub_common.app import create_app
from hub_common.contracts import CONTACTS_TOPIC, dlt_topic, events_topic, inbound_topic
from hub_common.service import ServiceContext
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_issues.settings import IssuesSettings
from hub_testkit.infra import discard_test_database
from hub_testkit.partners import grant_partner
from hub_testkit.tokens import issue_token

pytestmark = pytest.mark.integration

NORTHFIELD = "hub-northfield"
LAT, LON = 53.815, -1.55


def header(record, name: str) -> str | None:
    return next((v.decode() for k, v in record.headers if k == name), None)


@contextlib.asynccontextmanager
async def issues_app(make_settings) -> AsyncIterator[tuple[httpx.AsyncClient, ServiceContext, IssuesSettings]]:
    settings = make_settings(IssuesSettings, demo_data=True)
    app = create_app(ISSUES, settings)
    ctx: ServiceContext = app.state.ctx
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
        try:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
                yield client, ctx, settings
        finally:
            await discard_test_database(ctx.client, settings.mongo_db)


def api_key(settings: IssuesSettings) -> str:
    return issue_token(sub="partner-int", role="partner", hubs=[NORTHFIELD])


async def test_open311_report_is_readable_over_open311_and_its_events_reach_kafka(make_settings, kafka, background):
    async with issues_app(make_settings) as (client, ctx, settings):
        marker = uuid.uuid4().hex[:8]
        posted = await client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": api_key(settings),
                "service_code": "fly_tipping",
                "lat": str(LAT),
                "long": str(LON),
                "description": f"Sofa dumped by the allotments {marker}",
                "attribute[waste_type][]": "furniture",
                "attribute[amount]": "van",
                "email": f"{marker}@example.org",
                "first_name": "Robin",
            },
        )
        assert posted.status_code == 201, posted.text
        request_id = posted.json()[0]["service_request_id"]

        listed = (await client.get("/open311/v2/requests.json", params={"service_code": "fly_tipping"})).json()
        mine = next(r for r in listed if r["service_request_id"] == request_id)
        assert mine["status"] == "open" and mine["service_name"] == "Fly-tipping"
        assert (mine["lat"], mine["long"]) == (LAT, LON) and marker in mine["description"]
        xml = ET.fromstring((await client.get(f"/open311/v2/requests/{request_id}.xml")).content)  # noqa: S314
        assert xml.findtext("request/service_request_id") == request_id
        assert xml.findtext("request/status") == "open"
        assert float(xml.findtext("request/long")) == LON

        background(ctx.relay().run)
        [reported] = await kafka.collect(
            events_topic("issues"), lambda r: header(r, "ce_subject") == request_id, count=1, timeout_s=30
        )
        event = ce_kafka.from_binary_event(
            ce_kafka.KafkaMessage(headers=dict(reported.headers), key=reported.key, value=reported.value)
        )
        assert event.get_specversion() == "1.0"
        assert event.get_type() == "hub.issues.issue.reported.v1"
        assert event.get_source() == "/hub/issues"
        assert event.get_extension("hubid") == NORTHFIELD
        assert event.get_extension("partitionkey") == request_id == reported.key.decode()
        assert str(uuid.UUID(event.get_id())) == event.get_id()
        data = event.get_data()
        assert data["service_code"] == "fly_tipping" and data["location"] == {"lat": LAT, "lon": LON}
        assert "@example.org" not in json.dumps(data) and "Robin" not in json.dumps(data)  # contact stays off it
        decoded = envelope.decode(reported.headers, reported.key, reported.value)  # validates the contract
        assert decoded.data.issue_id == request_id

        [contact] = await kafka.collect(
            CONTACTS_TOPIC, lambda r: header(r, "ce_subject") == data["reporter_id"], count=1, timeout_s=30
        )
        assert header(contact, "ce_type") == "hub.issues.contact.upserted.v1"
        assert json.loads(contact.value)["email"] == f"{marker}@example.org"


async def test_report_about_an_asset_known_from_an_assets_event(make_settings, kafka, background, wait_until):
    async with issues_app(make_settings) as (client, ctx, settings):
        await kafka.skip_history(settings.consumer_group, list(ISSUES.consumes))  # only this test's messages
        asset_id = f"asset-{uuid.uuid4().hex[:10]}"
        registered = envelope.encode(
            topic=events_topic("assets"),
            event_id=str(uuid.uuid4()),
            source="/hub/assets",
            event_type="hub.assets.asset.registered.v1",
            time=datetime.now(UTC),
            subject=asset_id,
            hub_id=NORTHFIELD,
            data={
                "asset_id": asset_id,
                "hub_id": NORTHFIELD,
                "kind": "space",
                "name": "Bench by the pond",
                "status": "active",
                "location": {"lat": LAT, "lon": LON},
            },
        )
        await kafka.produce(registered.topic, registered.value, key=registered.key, headers=registered.headers)
        background(ctx.consumer().run)
        await wait_until(lambda: ctx.db["assets"].find_one({"_id": asset_id}), timeout_s=40)

        def report(asset: str) -> dict:
            return {
                "api_key": api_key(settings),
                "service_code": "damaged_bench",
                "lat": str(LAT),
                "long": str(LON),
                "description": "Slats broken",
                "attribute[dangerous]": "yes",
                "asset_id": asset,
            }

        accepted = await client.post("/open311/v2/requests.json", data=report(asset_id))
        assert accepted.status_code == 201, accepted.text
        doc = await ctx.db["issues"].find_one({"_id": accepted.json()[0]["service_request_id"]})
        assert doc["asset_id"] == asset_id

        rejected = await client.post("/open311/v2/requests.json", data=report("asset-never-registered"))
        assert rejected.status_code == 400
        assert "asset_id" in rejected.json()[0]["description"]
        resident = issue_token(sub="r", role="resident")
        v1 = await client.post(
            "/v1/issues",
            json={
                "service_code": "damaged_bench",
                "description": "Slats broken",
                "lat": LAT,
                "lon": LON,
                "attributes": {"dangerous": "no"},
                "asset_id": "asset-never-registered",
            },
            headers={"Authorization": f"Bearer {resident}"},
        )
        assert v1.status_code == 422
        assert await ctx.db["issues"].count_documents({}) == 1


async def test_partner_report_on_inbound_is_ingested_once_and_bad_ones_are_dead_lettered(
    make_settings, kafka, background, wait_until
):
    async with issues_app(make_settings) as (client, ctx, settings):
        await kafka.skip_history(settings.consumer_group, list(ISSUES.consumes))
        ref = f"RH-{uuid.uuid4().hex[:8]}"
        source = "/partners/riverside-housing"
        types = ["hub.issues.report.submitted.v1"]
        await grant_partner(ctx.db, "riverside-housing", hubs=["hub-northfield", "hub-riverside"], publishes=types)

        def submitted(partner_ref: str, service_code: str):
            return envelope.encode(
                topic=inbound_topic("issues"),
                event_id=str(uuid.uuid4()),
                source=source,
                event_type="hub.issues.report.submitted.v1",
                time=datetime.now(UTC),
                subject=partner_ref,
                data={
                    "partner_ref": partner_ref,
                    "service_code": service_code,
                    "description": "Graffiti on the garage doors",
                    "location": {"lat": 53.785, "lon": -1.55},
                    "attributes": {"offensive": "no"},
                    "reporter_ref": "tenant-7",
                },
            )

        bad_ref = f"{ref}-bad"
        for record in (submitted(ref, "graffiti"), submitted(ref, "graffiti"), submitted(bad_ref, "unicorns")):
            await kafka.produce(record.topic, record.value, key=record.key, headers=record.headers)
        background(ctx.consumer().run)

        issue = await wait_until(lambda: ctx.db["issues"].find_one({"partner_key": f"{source}|{ref}"}), timeout_s=40)
        assert issue["hub_id"] == "hub-riverside" and issue["channel"] == "inbound"
        [dead] = await kafka.collect(
            dlt_topic("issues"), lambda r: header(r, "ce_subject") == bad_ref, count=1, timeout_s=40
        )
        assert header(dead, "hub_dlt_error_type") == "PermanentError"
        assert "service_code" in header(dead, "hub_dlt_error")
        assert await ctx.db["issues"].count_documents({"partner_key": {"$regex": f"^{source}\\|{ref}"}}) == 1
        got = (await client.get(f"/open311/v2/requests/{issue['_id']}.json")).json()
        assert got[0]["service_code"] == "graffiti" and got[0]["status"] == "open"

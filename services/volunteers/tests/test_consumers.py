"""Consumed events: asset rooms become venues; issue reports in mapped categories suggest shifts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from volunteers_testkit import World

from hub_common.contracts.assets import AssetRegistered, AssetRetired, AssetUpdated
from hub_common.contracts.issues import IssueReported
from hub_common.envelope import Envelope
from hub_common.uow import Transaction
from hub_testkit.service_api import assert_problem


async def deliver(world: World, data, source: str, at: datetime | None = None) -> None:
    table = world.api.ctx.components.handlers
    event = Envelope(
        id=str(uuid.uuid4()),
        source=source,
        type=data.event_type,
        time=at or datetime.now(UTC),
        subject="x",
        data=data,
    )

    async def work(tx: Transaction) -> None:
        await table[data.event_type](event, tx)

    await world.api.ctx.uow.run(work)


async def test_rooms_from_assets_are_venues_until_retired(world: World) -> None:
    room = {"asset_id": f"room-{world.hub}", "hub_id": world.hub, "kind": "room", "name": "Hall", "status": "active"}
    t0 = datetime.now(UTC)
    await deliver(world, AssetRegistered(**room), "/hub/assets", t0)
    await deliver(
        world, AssetRegistered(**{**room, "asset_id": f"van-{world.hub}", "kind": "equipment"}), "/hub/assets"
    )
    await deliver(world, AssetUpdated(**{**room, "name": "Main hall"}), "/hub/assets", t0 + timedelta(seconds=2))
    await deliver(world, AssetUpdated(**{**room, "name": "Stale name"}), "/hub/assets", t0 + timedelta(seconds=1))

    venues = (await world.api.client.get(f"/v1/venues?hub_id={world.hub}")).json()["items"]
    assert [(v["id"], v["name"]) for v in venues] == [(room["asset_id"], "Main hall")]  # equipment is not a venue

    role = await world.published_role()
    start = datetime.now(UTC) + timedelta(days=2)
    body = {
        "role_id": role["id"],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 3,
        "venue_id": room["asset_id"],
    }
    van = f"van-{world.hub}"
    equipment = (await world.api.client.get(f"/v1/equipment?hub_id={world.hub}")).json()["items"]
    assert [e["id"] for e in equipment] == [van]
    unknown = {**body, "equipment_ids": [van, "no-such-thing"]}
    assert (
        "no-such-thing"
        in assert_problem(await world.api.client.post("/v1/shifts", json=unknown, headers=world.staff), 422)["detail"]
    )
    created = await world.api.client.post("/v1/shifts", json={**body, "equipment_ids": [van]}, headers=world.staff)
    assert created.status_code == 201, created.text
    [published] = await world.outbox("hub.volunteers.shift.published.v1", shift_id=created.json()["id"])
    assert published["data"]["equipment_ids"] == [van] and published["data"]["venue_id"] == room["asset_id"]
    retired = AssetRetired(asset_id=room["asset_id"], hub_id=world.hub, kind="room", retired_at=datetime.now(UTC))
    await deliver(world, retired, "/hub/assets", t0 + timedelta(seconds=3))
    assert_problem(await world.api.client.post("/v1/shifts", json=body, headers=world.staff), 422)


async def test_issue_in_a_mapped_category_suggests_a_shift_for_staff_to_publish(world: World) -> None:
    role = await world.published_role(title="Litter picker", issue_categories=["litter"])
    issue = IssueReported(
        issue_id=f"iss-{uuid.uuid4().hex[:8]}",
        hub_id=world.hub,
        service_code="litter",
        service_name="Litter",
        description="Bags of rubbish by the canal path",
        location={"lat": 53.81, "lon": -1.55},
        address="Canal path by Mill Lane",
        requested_at=datetime.now(UTC),
    )
    await deliver(world, issue, "/hub/issues")
    await deliver(world, issue, "/hub/issues")  # a redelivery suggests nothing new
    other = issue.model_copy(update={"issue_id": "iss-other", "service_code": "pothole"})
    await deliver(world, other, "/hub/issues")  # not mapped to any role

    listing = f"/v1/shifts?hub_id={world.hub}&status=suggested"
    assert_problem(await world.api.client.get(listing), 401)
    suggested = (await world.api.client.get(listing, headers=world.staff)).json()["items"]
    assert len(suggested) == 1
    shift = suggested[0]
    assert shift["role_id"] == role["id"] and shift["source_issue_id"] == issue.issue_id
    assert shift["address"] == "Canal path by Mill Lane"
    assert await world.outbox("hub.volunteers.shift.published.v1", shift_id=shift["id"]) == []
    _v, own = await world.active_volunteer()
    assert_problem(await world.api.client.post(f"/v1/shifts/{shift['id']}/signups", headers=own), 409)  # not yet open

    published = await world.api.client.post(f"/v1/shifts/{shift['id']}/publish", headers=world.staff)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert len(await world.outbox("hub.volunteers.shift.published.v1", shift_id=shift["id"])) == 1
    assert (await world.api.client.post(f"/v1/shifts/{shift['id']}/signups", headers=own)).status_code == 201

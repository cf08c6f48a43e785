"""The asset map through the real app and database: create/update/retire, auth, bad input, search."""

from __future__ import annotations

import pytest
from assets_testkit import NORTH, RIVER, Api, assert_problem, room_body, winning_indexes

from hub_assets.adapters.assets import ASSETS, AssetSearch

pytestmark = pytest.mark.asyncio


async def test_staff_registers_a_room_and_the_event_carries_its_public_snapshot(api: Api) -> None:
    response = await api.client.post(
        "/v1/assets", json=room_body(tags=["Quiet Space", "quiet space"]), headers=api.staff
    )

    assert response.status_code == 201, response.text
    asset = response.json()
    assert response.headers["ETag"] == '"v1"'
    assert response.headers["Location"] == f"/v1/assets/{asset['id']}"
    assert asset["tags"] == ["quiet-space"]
    assert asset["owner_id"] == "staff-1"
    assert asset["room"]["policy"]["min_minutes"] == 30  # defaults filled in
    [event] = await api.events("hub.assets.asset.registered.v1", asset["id"])
    assert event["hub_id"] == NORTH
    assert event["data"]["bookable"] is True and event["data"]["capacity"] == 12
    assert event["data"]["location"] == {"lat": 53.815, "lon": -1.55}


async def test_organisation_public_contact_is_in_the_directory_but_never_in_events(api: Api) -> None:
    body = {
        "kind": "organisation",
        "hub_id": NORTH,
        "name": "Northfield Food Bank",
        "organisation": {
            "org_type": "charity",
            "charity_number": "1123456",
            "contact": {"email": "hello@foodbank.example.org", "phone": "0113 496 0000"},
        },
    }
    asset = await api.create(body)

    assert (await api.client.get(f"/v1/assets/{asset['id']}")).json()["organisation"]["contact"]["email"] == (
        "hello@foodbank.example.org"
    )
    events = await api.events(subject=asset["id"])
    assert events and all("foodbank.example.org" not in str(e["data"]) for e in events)
    assert all("0113" not in str(e["data"]) for e in events)


@pytest.mark.parametrize(
    ("headers", "status"),
    [(None, 401), ("resident", 403), ("other-hub-staff", 403), ("partner-room", 403)],
)
async def test_who_may_register_assets(api: Api, headers: str | None, status: int) -> None:
    auth = {
        None: {},
        "resident": api.auth("resident"),
        "other-hub-staff": api.auth("staff", hubs=(RIVER,)),
        "partner-room": api.auth("partner"),  # partners keep directory entries, not rooms
    }[headers]

    response = await api.client.post("/v1/assets", json=room_body(), headers=auth)

    assert_problem(response, status)
    assert await api.ctx.db[ASSETS].count_documents({}) == 0
    assert await api.events() == []


@pytest.mark.parametrize(
    "body",
    [
        room_body(kind="castle"),
        room_body(location={"lat": 95, "lon": 0}),
        room_body(room=None, equipment={"quantity": 2}),  # details of another kind
        room_body(opening_hours=[{"weekday": 1, "opens": "18:00", "closes": "09:00"}]),
        {"kind": "equipment", "hub_id": NORTH, "name": "Kit", "equipment": {"serial_number": "X1", "quantity": 3}},
        {"kind": "service", "hub_id": NORTH, "name": "Advice"},  # a service says what it offers
        {
            "kind": "organisation",
            "hub_id": NORTH,
            "name": "G",
            "organisation": {"org_type": "informal", "charity_number": "1123456"},
        },
        room_body(surprise=True),
    ],
)
async def test_bad_input_is_a_422_with_field_errors_and_nothing_is_written(api: Api, body: dict) -> None:
    response = await api.client.post("/v1/assets", json=body, headers=api.staff)

    problem = assert_problem(response, 422, "validation")
    assert problem["errors"]
    assert await api.ctx.db[ASSETS].count_documents({}) == 0
    assert await api.events() == []


async def test_create_with_idempotency_key_is_done_once(api: Api) -> None:
    headers = {**api.staff, "Idempotency-Key": "k-1"}
    first = await api.client.post("/v1/assets", json=room_body(), headers=headers)
    again = await api.client.post("/v1/assets", json=room_body(), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert await api.ctx.db[ASSETS].count_documents({}) == 1
    assert len(await api.events("hub.assets.asset.registered.v1")) == 1


async def test_update_needs_the_current_etag_and_publishes_the_new_snapshot(api: Api) -> None:
    asset = await api.create(room_body())
    url = f"/v1/assets/{asset['id']}"
    changed = room_body(name="Meeting Room One", room={"capacity": 20})

    ok = await api.client.put(url, json=changed, headers={**api.staff, "If-Match": '"v1"'})
    stale = await api.client.put(url, json=changed, headers={**api.staff, "If-Match": '"v1"'})

    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"] == '"v2"' and ok.json()["name"] == "Meeting Room One"
    assert_problem(stale, 412, "precondition-failed")
    [event] = await api.events("hub.assets.asset.updated.v1", asset["id"])
    assert event["data"]["capacity"] == 20 and event["data"]["name"] == "Meeting Room One"


async def test_kind_and_hub_cannot_change(api: Api) -> None:
    asset = await api.create(room_body())
    url = f"/v1/assets/{asset['id']}"

    other_kind = {"kind": "space", "hub_id": NORTH, "name": "Hall"}
    assert_problem(await api.client.put(url, json=other_kind, headers=api.staff), 422, "rule-violated")
    other_hub = await api.client.put(url, json=room_body(hub_id=RIVER), headers=api.auth("operator"))
    assert_problem(other_hub, 422, "rule-violated")
    assert (await api.client.get(url)).headers["ETag"] == '"v1"'


async def test_partner_keeps_only_its_own_directory_entries(api: Api) -> None:
    partner = api.auth("partner", sub="partner-a")
    other = api.auth("partner", sub="partner-b")
    body = {"kind": "organisation", "hub_id": NORTH, "name": "Friends of the Park"}
    asset = await api.create(body, headers=partner)
    url = f"/v1/assets/{asset['id']}"

    assert asset["owner_id"] == "partner-a"
    assert (
        await api.client.put(url, json={**body, "description": "We pick litter"}, headers=partner)
    ).status_code == 200
    assert_problem(await api.client.put(url, json=body, headers=other), 403)
    assert_problem(await api.client.post(f"{url}/retire", headers=other), 403)


async def test_retire_publishes_retired_and_hides_the_asset_from_search(api: Api) -> None:
    asset = await api.create(room_body())
    response = await api.client.post(f"/v1/assets/{asset['id']}/retire", headers={**api.staff, "If-Match": '"v1"'})

    assert response.status_code == 200 and response.json()["status"] == "retired"
    [event] = await api.events("hub.assets.asset.retired.v1", asset["id"])
    assert event["data"]["kind"] == "room"
    assert (await api.client.get("/v1/assets", params={"q": "meeting"})).json()["items"] == []
    assert_problem(await api.client.post(f"/v1/assets/{asset['id']}/retire", headers=api.staff), 409)


async def test_unknown_asset_is_a_404_problem(api: Api) -> None:
    assert_problem(await api.client.get("/v1/assets/nope"), 404, "not-found")


# --- search ---------------------------------------------------------------------------------


@pytest.fixture
async def mapped(api: Api) -> dict[str, str]:
    made = {}
    for key, body in {
        "hall": room_body(name="Main Hall", tags=["events"], location={"lat": 53.815, "lon": -1.55}),
        "kit": {
            "kind": "equipment",
            "hub_id": NORTH,
            "name": "Litter-picking kit",
            "tags": ["environment"],
            "location": {"lat": 53.816, "lon": -1.55},
            "equipment": {"quantity": 5},
        },
        "club": {
            "kind": "organisation",
            "hub_id": RIVER,
            "name": "Riverside Youth Club",
            "tags": ["young-people"],
            "location": {"lat": 53.785, "lon": -1.55},
            "organisation": {"activities": ["football"]},
        },
        "cafe": {
            "kind": "service",
            "hub_id": NORTH,
            "name": "Repair Café",
            "tags": ["environment"],
            "location": {"lat": 53.83, "lon": -1.55},
            "service": {"offer": "Fix bikes and toasters"},
        },
    }.items():
        made[key] = (await api.create(body, headers=api.auth("operator")))["id"]
    return made


async def names(api: Api, **params) -> list[str]:
    response = await api.client.get("/v1/assets", params=params)
    assert response.status_code == 200, response.text
    return [a["name"] for a in response.json()["items"]]


async def test_search_by_text_kind_tag_and_hub(api: Api, mapped: dict[str, str]) -> None:
    assert await names(api, q="litter") == ["Litter-picking kit"]
    assert await names(api, q="lit pick") == ["Litter-picking kit"]  # prefixes, all words must match
    assert await names(api, q="cafe") == ["Repair Café"]  # accents folded
    assert await names(api, q="football") == ["Riverside Youth Club"]  # activities are searchable
    assert await names(api, q="toasters") == ["Repair Café"]
    assert await names(api, kind="room") == ["Main Hall"]
    assert await names(api, tag="Environment") == ["Litter-picking kit", "Repair Café"]
    assert await names(api, hub_id=RIVER) == ["Riverside Youth Club"]
    assert await names(api, hub_id=NORTH, kind="service") == ["Repair Café"]
    assert await names(api, tag="environment", q="kit") == ["Litter-picking kit"]


async def test_search_near_a_point_is_nearest_first_within_the_radius(api: Api, mapped: dict[str, str]) -> None:
    response = await api.client.get("/v1/assets", params={"lat": 53.8152, "lon": -1.55, "radius_m": 1000})
    items = response.json()["items"]

    assert [a["name"] for a in items] == ["Main Hall", "Litter-picking kit"]
    assert 15 < items[0]["distance_m"] < 30
    assert await names(api, lat=53.8155, lon=-1.55, radius_m=5000, kind="service") == ["Repair Café"]
    assert_problem(await api.client.get("/v1/assets", params={"lat": 53.8}), 422)


async def test_search_pages_with_cursors_in_both_orders(api: Api, mapped: dict[str, str]) -> None:
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await api.client.get("/v1/assets", params=params)).json()
        seen += [a["name"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen) and len(seen) == 4

    near, cursor = [], None
    while True:
        params = {
            "lat": 53.8155,
            "lon": -1.55,
            "radius_m": 50_000,
            "limit": 1,
            **({"cursor": cursor} if cursor else {}),
        }
        page = (await api.client.get("/v1/assets", params=params)).json()
        near += [a["distance_m"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(near) == 4 and near == sorted(near)


async def test_near_pages_walk_through_assets_at_one_spot_each_once(api: Api, mapped: dict[str, str]) -> None:
    """Five rooms at one address are equally far: pages of two still show each exactly once."""
    same_spot = {"lat": 53.8153, "lon": -1.5501}
    rooms = [
        (await api.create(room_body(name=f"Room {n}", location=same_spot), headers=api.auth("operator")))["id"]
        for n in range(5)
    ]
    shown, cursor = [], None
    while True:
        params = {"lat": 53.8152, "lon": -1.55, "radius_m": 1000, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.client.get("/v1/assets", params=params)).json()
        shown += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(shown) == sorted([*rooms, mapped["hall"], mapped["kit"]])


@pytest.mark.parametrize(
    "search",
    [
        AssetSearch(),
        AssetSearch(terms=["litter", "kit"], hub_id=NORTH),
        AssetSearch(tag="environment", kind="service", hub_id=NORTH),
        AssetSearch(hub_id=NORTH, kind="room"),
        AssetSearch(kind="room"),
    ],
)
async def test_every_search_shape_is_served_by_an_index(api: Api, mapped: dict[str, str], search) -> None:
    collection = api.ctx.db[ASSETS]
    cursor_filter = {"$or": [{"name": {"$gt": "M"}}, {"name": "M", "_id": {"$gt": ""}}]}
    for query in (search.query(), {"$and": [search.query(), cursor_filter]}):
        plan = await collection.find(query).sort([("name", 1), ("_id", 1)]).hint(search.index()).explain()
        assert winning_indexes(plan) == [search.index()], plan


async def test_parent_and_organisation_references_must_exist(api: Api) -> None:
    missing_parent = await api.client.post("/v1/assets", json=room_body(parent_id="nope"), headers=api.staff)
    service = {
        "kind": "service",
        "hub_id": NORTH,
        "name": "Advice",
        "service": {"offer": "Advice", "organisation_id": "nope"},
    }
    missing_org = await api.client.post("/v1/assets", json=service, headers=api.staff)
    centre = await api.create({"kind": "space", "hub_id": RIVER, "name": "Library"}, headers=api.auth("operator"))
    other_hub = await api.client.post("/v1/assets", json=room_body(parent_id=centre["id"]), headers=api.staff)

    assert assert_problem(missing_parent, 422, "rule-violated")["errors"][0]["field"] == "parent_id"
    assert assert_problem(missing_org, 422, "rule-violated")["errors"][0]["field"] == "service.organisation_id"
    assert "same hub" in assert_problem(other_hub, 422)["detail"]
    assert await api.ctx.db[ASSETS].count_documents({}) == 1

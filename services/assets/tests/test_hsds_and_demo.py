"""The Open Referral UK (HSDS 3.0) export validates against the standard's schemas (the HSDS 3.0
core and the UK profile); demo data seeds once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from assets_testkit import NORTH, RIVER, Api
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hub_assets.adapters.assets import ASSETS
from hub_assets.demo import demo_assets, seed_demo_data

UK_PROFILE = Path(__file__).parent / "data" / "hsds"
CORE = UK_PROFILE / "core"  # HSDS 3.0 core: the UK profile's files of the same names narrow these
PROFILES = pytest.mark.parametrize("profile", [CORE, UK_PROFILE], ids=["hsds-3.0-core", "uk-profile"])


def validator(name: str, profile: Path = UK_PROFILE) -> Draft202012Validator:
    registry = Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
        for path in profile.glob("*.json")
    )
    schema = json.loads((profile / name).read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(name: str, instance: dict, profile: Path = UK_PROFILE) -> None:
    errors = sorted(validator(name, profile).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


@pytest.fixture
async def demo(api: Api) -> Api:
    await seed_demo_data(api.ctx)
    return api


async def test_demo_data_seeds_every_asset_once_with_its_event(demo: Api) -> None:
    await seed_demo_data(demo.ctx)  # again: nothing new

    count = await demo.ctx.db[ASSETS].count_documents({})
    assert count == len(demo_assets())
    assert len(await demo.events("hub.assets.asset.registered.v1")) == count
    hubs = set(await demo.ctx.db[ASSETS].distinct("hub_id"))
    assert hubs == {NORTH, RIVER}
    kits = (await demo.client.get("/v1/assets", params={"q": "litter picking", "kind": "equipment"})).json()["items"]
    assert {k["hub_id"] for k in kits} == {NORTH, RIVER}


@PROFILES
async def test_hsds_services_export_is_valid(demo: Api, profile: Path) -> None:
    response = await demo.client.get("/v1/hsds/services", params={"per_page": 1})
    first = response.json()
    assert first["total_items"] == 2 and first["total_pages"] == 2 and first["first_page"] is True
    everything = (await demo.client.get("/v1/hsds/services")).json()["contents"]

    assert len(everything) == 2
    for item in everything:
        assert_valid("service.json", item, profile)
    food = next(s for s in everything if s["name"] == "Food bank sessions")
    assert food["organization"]["name"] == "Northfield Food Bank"
    assert food["organization"]["organization_identifiers"][0]["identifier"] == "1123456"
    assert food["schedules"][0]["byday"] == "TU" and food["schedules"][0]["opens_at"] == "10:00"
    assert food["service_at_locations"][0]["location"]["latitude"] == pytest.approx(53.819)
    assert food["cost_options"][0]["option"] == "Free"
    youth = next(s for s in everything if s["name"] == "Friday youth night")
    assert youth["cost_options"][0]["option"] == "£1"


@PROFILES
async def test_hsds_organizations_and_locations_are_valid(demo: Api, profile: Path) -> None:
    orgs = (await demo.client.get("/v1/hsds/organizations")).json()["contents"]
    places = (await demo.client.get("/v1/hsds/locations", params={"hub_id": NORTH})).json()["contents"]

    assert {o["name"] for o in orgs} == {"Northfield Food Bank", "Friends of Northfield Park", "Riverside Youth Club"}
    for org in orgs:
        assert_valid("organization.json", org, profile)
    assert [p["name"] for p in places] == ["Northfield Community Centre"]
    for place in places:
        assert_valid("location.json", place, profile)
        assert place["location_type"] == "physical"
    informal = next(o for o in orgs if o["name"] == "Friends of Northfield Park")
    assert informal["organization_identifiers"] == [] and "email" not in informal


def test_the_vendored_schema_really_rejects_bad_records() -> None:
    bad_service = {"id": "not-a-uuid", "name": "X", "status": "open"}  # no url, bad id and status
    messages = " ".join(e.message for e in validator("service.json").iter_errors(bad_service))
    assert "'url' is a required property" in messages
    assert "is not a 'uuid'" in messages
    assert "is not one of" in messages
    schedule = {"id": "6f1c2b1e-5d0a-4c55-9a43-7f8a2f6b9a01", "freq": "DAILY"}
    assert len(list(validator("schedule.json").iter_errors(schedule))) == 2  # freq enum, url required


def test_the_vendored_core_schema_really_requires_a_location_type() -> None:
    place = {"id": "6f1c2b1e-5d0a-4c55-9a43-7f8a2f6b9a01", "name": "Hall", "latitude": 53.8, "longitude": -1.5}
    messages = [e.message for e in validator("location.json", CORE).iter_errors(place)]
    assert messages == ["'location_type' is a required property"]
    assert not list(validator("location.json", CORE).iter_errors({**place, "location_type": "physical"}))
    assert list(validator("location.json", CORE).iter_errors({**place, "location_type": "building"}))
    nested = {
        "id": place["id"],
        "name": "Advice",
        "status": "active",
        "service_at_locations": [{"id": place["id"], "location": place}],
    }
    assert "'location_type' is a required property" in [
        e.message for e in validator("service.json", CORE).iter_errors(nested)
    ]

"""API: hubs (boundaries, assignment by $geoIntersects, default hub) and the catalogue per hub."""

from __future__ import annotations

import pytest
from issues_testkit import NORTHFIELD, RIVERSIDE

from hub_issues.adapters.categories import CATEGORIES
from hub_issues.adapters.hubs import HUBS
from hub_testkit.service_api import assert_problem, fields_of

EAST = {
    "type": "Polygon",
    "coordinates": [[[-1.52, 53.77], [-1.46, 53.77], [-1.46, 53.83], [-1.52, 53.83], [-1.52, 53.77]]],
}
LITTER_PICK = {
    "code": "litter_pick",
    "name": "Community litter pick",
    "group": "Street cleaning",
    "keywords": ["volunteer"],
    "target_response_hours": 48,
    "attributes": [
        {"code": "bags", "datatype": "number", "description": "How many bags?", "required": True, "order": 2},
        {
            "code": "kind",
            "datatype": "singlevaluelist",
            "description": "What kind?",
            "order": 1,
            "values": [{"key": "street", "name": "Street"}, {"key": "park", "name": "Park"}],
        },
    ],
}


async def test_demo_hubs_and_catalogue_are_seeded_once(api) -> None:
    response = await api.client.get("/v1/hubs")
    assert [h["id"] for h in response.json()["items"]] == [NORTHFIELD, RIVERSIDE]
    codes = [c["code"] for c in (await api.client.get(f"/v1/hubs/{RIVERSIDE}/services")).json()["items"]]
    assert {"litter", "fly_tipping", "street_light", "graffiti", "damaged_bench"} <= set(codes)
    assert codes == sorted(codes)

    await api.ctx.definition.seed_demo_data(api.ctx)  # again: nothing new
    assert await api.count(HUBS) == 2
    assert await api.count(CATEGORIES) == 2 * len(codes)


async def test_locate_assigns_the_containing_hub_else_the_default(api) -> None:
    cases = [
        (53.815, -1.55, NORTHFIELD),
        (53.785, -1.55, RIVERSIDE),
        (51.5, -0.12, NORTHFIELD),
        (53.8, -1.55, NORTHFIELD),
    ]
    for lat, lon, hub in cases:
        response = await api.client.get("/v1/hubs/locate", params={"lat": lat, "lon": lon})
        assert response.status_code == 200
        assert response.json()["hub_id"] == hub, (lat, lon)


async def test_operator_defines_a_hub_and_reports_there_are_assigned_to_it(api) -> None:
    body = {"id": "hub-east", "name": "East Hub", "boundary": EAST, "is_default": True}
    response = await api.client.post("/v1/hubs", json=body, headers=api.auth("operator"))
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"v1"'
    assert response.json()["centre"] == {"lat": pytest.approx(53.80), "lon": pytest.approx(-1.49)}

    located = await api.client.get("/v1/hubs/locate", params={"lat": 53.81, "lon": -1.48})
    assert located.json()["hub_id"] == "hub-east"
    # The new default replaced the old one: a point far away now goes to hub-east.
    far = await api.client.get("/v1/hubs/locate", params={"lat": 51.5, "lon": -0.12})
    assert far.json()["hub_id"] == "hub-east"
    assert (await api.client.get(f"/v1/hubs/{NORTHFIELD}")).json()["is_default"] is False


async def test_hub_writes_need_staff_of_that_hub(api) -> None:
    body = {"id": "hub-east", "name": "East Hub", "boundary": EAST}
    assert_problem(await api.client.post("/v1/hubs", json=body), 401, "unauthorized")
    assert_problem(await api.client.post("/v1/hubs", json=body, headers=api.auth("resident")), 403)
    assert_problem(await api.client.post("/v1/hubs", json=body, headers=api.auth("partner", hubs=("hub-east",))), 403)
    assert_problem(await api.client.post("/v1/hubs", json=body, headers=api.staff(NORTHFIELD)), 403)
    assert await api.count(HUBS) == 2
    assert (await api.client.post("/v1/hubs", json=body, headers=api.staff("hub-east"))).status_code == 201


async def test_bad_hub_input_is_refused_and_nothing_is_written(api) -> None:
    open_ring = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
    response = await api.client.post(
        "/v1/hubs", json={"id": "hub-x", "name": "X", "boundary": open_ring}, headers=api.auth("operator")
    )
    assert fields_of(assert_problem(response, 422, "rule-violated")) == {"boundary"}
    response = await api.client.post(
        "/v1/hubs", json={"id": "Bad Id!", "name": "", "boundary": EAST}, headers=api.auth("operator")
    )
    assert fields_of(assert_problem(response, 422, "validation")) == {"body.id", "body.name"}
    dup = {"id": NORTHFIELD, "name": "again", "boundary": EAST}
    assert_problem(await api.client.post("/v1/hubs", json=dup, headers=api.auth("operator")), 409, "conflict")
    assert await api.count(HUBS) == 2
    assert (await api.client.get(f"/v1/hubs/{NORTHFIELD}")).json()["name"] == "Northfield Community Hub"


async def test_hub_update_honours_if_match(api) -> None:
    headers = api.staff(NORTHFIELD)
    response = await api.client.patch(
        f"/v1/hubs/{NORTHFIELD}", json={"name": "Northfield Hub"}, headers={**headers, "If-Match": '"v1"'}
    )
    assert response.status_code == 200 and response.headers["etag"] == '"v2"'
    stale = await api.client.patch(
        f"/v1/hubs/{NORTHFIELD}", json={"name": "Stale"}, headers={**headers, "If-Match": '"v1"'}
    )
    assert assert_problem(stale, 412)["current_etag"] == '"v2"'
    assert_problem(await api.client.patch(f"/v1/hubs/{RIVERSIDE}", json={"name": "x"}, headers=headers), 403)
    assert_problem(
        await api.client.patch("/v1/hubs/hub-nowhere", json={"name": "x"}, headers=api.auth("operator")), 404
    )
    assert (await api.client.get(f"/v1/hubs/{NORTHFIELD}")).json()["name"] == "Northfield Hub"


async def test_staff_manage_their_hubs_catalogue(api) -> None:
    url = f"/v1/hubs/{NORTHFIELD}/services"
    response = await api.client.post(url, json=LITTER_PICK, headers={**api.staff(), "Idempotency-Key": "cat-1"})
    assert response.status_code == 201, response.text
    again = await api.client.post(url, json=LITTER_PICK, headers={**api.staff(), "Idempotency-Key": "cat-1"})
    assert again.status_code == 201 and again.json() == response.json()
    assert_problem(await api.client.post(url, json=LITTER_PICK, headers=api.staff()), 409, "conflict")

    got = await api.client.get(f"{url}/litter_pick")
    assert got.headers["etag"] == '"v1"'
    assert got.json()["target_response_hours"] == 48
    assert [a["code"] for a in got.json()["attributes"]] == ["bags", "kind"]

    patch = {"name": "Litter pick", "attributes": [], "version": 1}
    changed = await api.client.patch(f"{url}/litter_pick", json=patch, headers=api.staff())
    assert changed.status_code == 200 and changed.json()["name"] == "Litter pick"
    assert changed.json()["attributes"] == [] and changed.json()["version"] == 2
    stale = await api.client.patch(
        f"{url}/litter_pick", json={"name": "x"}, headers={**api.staff(), "If-Match": '"v1"'}
    )
    assert_problem(stale, 412)


async def test_catalogue_writes_are_checked(api) -> None:
    url = f"/v1/hubs/{NORTHFIELD}/services"
    assert_problem(await api.client.post(url, json=LITTER_PICK), 401)
    assert_problem(await api.client.post(url, json=LITTER_PICK, headers=api.staff(RIVERSIDE)), 403)
    assert_problem(
        await api.client.post("/v1/hubs/hub-nowhere/services", json=LITTER_PICK, headers=api.auth("operator")), 404
    )
    no_values = {**LITTER_PICK, "attributes": [{"code": "k", "datatype": "singlevaluelist", "description": "?"}]}
    assert_problem(await api.client.post(url, json=no_values, headers=api.staff()), 422, "rule-violated")
    bad_type = {**LITTER_PICK, "attributes": [{"code": "k", "datatype": "colour", "description": "?"}]}
    assert "body.attributes.0.datatype" in fields_of(
        assert_problem(await api.client.post(url, json=bad_type, headers=api.staff()), 422)
    )
    assert await api.count(CATEGORIES, code="litter_pick") == 0
    assert_problem(await api.client.get(f"{url}/nope"), 404)


async def test_without_a_default_hub_a_report_outside_every_hub_is_refused(api) -> None:
    await api.client.patch(f"/v1/hubs/{NORTHFIELD}", json={"is_default": False}, headers=api.staff())
    located = await api.client.get("/v1/hubs/locate", params={"lat": 51.5, "lon": -0.12})
    assert located.json()["hub_id"] is None
    response = await api.report(lat=51.5, lon=-0.12)
    body = assert_problem(response, 422, "rule-violated")
    assert body["errors"][0] == {"field": "location", "message": "outside every hub", "type": "outside"}
    assert await api.count("issues") == 0


async def test_a_category_carries_its_words_in_other_languages(api) -> None:
    url = f"/v1/hubs/{NORTHFIELD}/services"
    welsh = {
        "name": "Casglu sbwriel cymunedol",
        "questions": {"kind": "Pa fath?"},
        "choices": {"kind": {"park": "Parc"}},
    }
    made = await api.client.post(url, json={**LITTER_PICK, "translations": {"cy": welsh}}, headers=api.staff())
    assert made.status_code == 201, made.text
    assert made.json()["translations"]["cy"] == {**welsh, "description": "", "group": ""}

    # Only what the category asks can be worded, in a language code; nothing is written otherwise.
    for wrong, where in [
        ({"xx-YY": {"name": "?"}}, "body.translations.xx-YY.[key]"),
        ({"cy": {"name": ""}}, "body.translations.cy.name"),
    ]:
        refused = await api.client.post(url, json={**LITTER_PICK, "code": "other", "translations": wrong},
                                        headers=api.staff())  # fmt: skip
        assert where in fields_of(assert_problem(refused, 422)), refused.text
    for wording, field in [
        ({"name": "x", "questions": {"colour": "Lliw?"}}, "translations.cy.questions.colour"),
        ({"name": "x", "choices": {"kind": {"beach": "Traeth"}}}, "translations.cy.choices.kind.beach"),
        ({"name": "x", "choices": {"bags": {"one": "Un"}}}, "translations.cy.choices.bags.one"),
    ]:
        body = {**LITTER_PICK, "code": "other", "translations": {"cy": wording}}
        refused = assert_problem(await api.client.post(url, json=body, headers=api.staff()), 422, "rule-violated")
        assert field in fields_of(refused), refused
    assert await api.count(CATEGORIES, code="other") == 0

    # A change replaces them as a whole; the demo catalogue comes with Welsh.
    changed = await api.client.patch(f"{url}/litter_pick", json={"translations": {}}, headers=api.staff())
    assert changed.status_code == 200 and changed.json()["translations"] == {}
    assert_problem(await api.client.patch(f"{url}/litter_pick", json={"translations": None}, headers=api.staff()), 422)
    pothole = (await api.client.get(f"{url}/pothole")).json()
    assert pothole["translations"]["cy"]["name"] == "Twll yn y ffordd"

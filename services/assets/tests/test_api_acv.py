"""Assets of Community Value through the real app: nomination, decision, moratoria, sweep, events."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from assets_testkit import NORTH, RIVER, Api, assert_problem

from hub_assets.adapters.acv import ACV
from hub_common.auth import Principal


@pytest.fixture
async def pub_and_group(api: Api) -> tuple[str, str]:
    pub = await api.create(
        {"kind": "space", "hub_id": NORTH, "name": "The Red Lion", "location": {"lat": 53.81, "lon": -1.54}}
    )
    group = await api.create(
        {
            "kind": "organisation",
            "hub_id": NORTH,
            "name": "Save the Red Lion",
            "organisation": {"org_type": "informal"},
        },
        headers=api.auth("partner", sub="group-account"),
    )
    return pub["id"], group["id"]


async def test_group_nominates_staff_list_owner_notice_and_community_request(api: Api, pub_and_group) -> None:
    pub, group = pub_and_group
    nominated_on = date.today() - timedelta(days=30)
    body = {
        "asset_id": pub,
        "nominated_by": group,
        "reason": "The only pub and meeting place in the village",
        "nominated_on": nominated_on.isoformat(),
    }

    stranger = await api.client.post("/v1/acv", json=body, headers=api.auth("partner", sub="someone-else"))
    created = await api.client.post("/v1/acv", json=body, headers=api.auth("partner", sub="group-account"))
    twice = await api.client.post("/v1/acv", json=body, headers=api.staff)

    assert_problem(stranger, 403)
    assert created.status_code == 201, created.text
    acv = created.json()
    assert acv["decision_due_on"] == (nominated_on + timedelta(weeks=8)).isoformat()
    assert_problem(twice, 409)
    assert_problem(
        await api.client.post(
            f"/v1/acv/{acv['id']}/decision", json={"listed": True}, headers=api.auth("partner", sub="group-account")
        ),
        403,
    )

    listed_on = nominated_on + timedelta(days=20)
    listed = await api.client.post(
        f"/v1/acv/{acv['id']}/decision",
        json={"listed": True, "decided_on": listed_on.isoformat()},
        headers={**api.staff, "If-Match": '"v1"'},
    )
    assert listed.status_code == 200, listed.text
    assert listed.json()["expires_on"] == listed_on.replace(year=listed_on.year + 5).isoformat()
    register = await api.client.get("/v1/acv", params={"hub_id": NORTH})
    assert [e["id"] for e in register.json()["items"]] == [acv["id"]]

    notice_on = listed_on + timedelta(days=5)
    noticed = await api.client.post(
        f"/v1/acv/{acv['id']}/disposal-notice", json={"received_on": notice_on.isoformat()}, headers=api.staff
    )
    request_on = notice_on + timedelta(weeks=6)  # one day too late
    late = await api.client.post(
        f"/v1/acv/{acv['id']}/community-request", json={"received_on": request_on.isoformat()}, headers=api.staff
    )
    in_time = await api.client.post(
        f"/v1/acv/{acv['id']}/community-request",
        json={"received_on": (request_on - timedelta(days=1)).isoformat()},
        headers=api.staff,
    )

    assert noticed.json()["moratoria"][0]["interim_ends_on"] == (notice_on + timedelta(weeks=6)).isoformat()
    assert "interim moratorium ended" in assert_problem(late, 409)["detail"]
    assert in_time.json()["moratoria"][0]["full_ends_on"] is not None
    types = [e["type"] for e in await api.events(subject=acv["id"])]
    assert types == [
        "hub.assets.acv.nominated.v1",
        "hub.assets.acv.listed.v1",
        "hub.assets.acv.moratorium_started.v1",
        "hub.assets.acv.moratorium_started.v1",
    ]
    [interim, full] = await api.events("hub.assets.acv.moratorium_started.v1")
    assert (interim["data"]["phase"], full["data"]["phase"]) == ("interim", "full")
    assert full["data"]["protected_until"] == interim["data"]["protected_until"]
    assert full["data"]["location"] == {"lat": 53.81, "lon": -1.54}


async def test_sweep_announces_the_moratorium_end_and_the_expiry_once(api: Api, pub_and_group) -> None:
    pub, group = pub_and_group
    svc = api.use_cases.acv
    staff = Principal(sub="staff-1", role="staff", hubs=(NORTH,))
    start = date.today() - timedelta(days=100)
    nomination = await svc.nominate(staff, asset_id=pub, nominated_by=group, reason="pub", nominated_on=start)
    await svc.decide(staff, nomination.id, listed=True, decided_on=start, reason=None)
    await svc.notice_of_disposal(staff, nomination.id, start + timedelta(days=1))

    assert await svc.advance(start + timedelta(days=10)) == 0
    assert await svc.advance(start + timedelta(days=1, weeks=6)) == 1
    assert await svc.advance(start + timedelta(days=1, weeks=7)) == 0
    assert await svc.advance(start.replace(year=start.year + 5)) == 1

    assert (await api.client.get(f"/v1/acv/{nomination.id}")).json()["status"] == "expired"
    assert [e["type"] for e in await api.events(subject=nomination.id)][-2:] == [
        "hub.assets.acv.moratorium_ended.v1",
        "hub.assets.acv.expired.v1",
    ]


async def test_bad_nominations_are_refused_and_write_nothing(api: Api, pub_and_group) -> None:
    pub, group = pub_and_group
    kit = await api.create({"kind": "equipment", "hub_id": NORTH, "name": "Kit"})
    future = (date.today() + timedelta(days=3)).isoformat()
    cases = [
        ({"asset_id": kit["id"], "nominated_by": group, "reason": "x"}, 422),  # equipment is not land
        ({"asset_id": pub, "nominated_by": pub, "reason": "x"}, 422),  # not a group
        ({"asset_id": pub, "nominated_by": group, "reason": "x", "nominated_on": future}, 422),
        ({"asset_id": pub, "nominated_by": group}, 422),  # no reason
        ({"asset_id": "missing", "nominated_by": group, "reason": "x"}, 404),
    ]
    for body, status in cases:
        assert_problem(await api.client.post("/v1/acv", json=body, headers=api.staff), status)
    valid = {"asset_id": pub, "nominated_by": group, "reason": "x"}
    assert_problem(await api.client.post("/v1/acv", json=valid, headers=api.auth("staff", hubs=(RIVER,))), 403)
    assert_problem(await api.client.post("/v1/acv", json=valid), 401)
    assert await api.ctx.db[ACV].count_documents({}) == 0

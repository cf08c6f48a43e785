"""Staff insight: a hub's (or several hubs') approved volunteer hours per month."""

from __future__ import annotations

from datetime import date, timedelta

from volunteers_testkit import World

from hub_testkit.service_api import assert_problem


def first_of_month(day: date, back: int) -> date:
    """The first day of the month ``back`` months before ``day``'s."""
    month = day.month - 1 - back
    return date(day.year + month // 12, month % 12 + 1, 1)


async def log(world: World, own: dict[str, str], vid: str, hours: float, worked_on: date) -> str:
    body = {"hours": hours, "worked_on": worked_on.isoformat()}
    response = await world.api.client.post(f"/v1/volunteers/{vid}/hours", json=body, headers=own)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_approved_hours_per_month_of_one_hub_and_of_several(world: World) -> None:
    today = date.today()
    two_ago, last, this = (first_of_month(today, n) for n in (2, 1, 0))
    volunteer, own = await world.active_volunteer()
    vid = volunteer["id"]
    approved = [
        await log(world, own, vid, 2, two_ago),
        await log(world, own, vid, 1.5, two_ago + timedelta(days=3)),
        await log(world, own, vid, 3, this),
    ]
    await log(world, own, vid, 5, last)  # pending: not counted
    rejected = await log(world, own, vid, 4, last)
    for entry in approved:
        assert (await world.api.client.post(f"/v1/hours/{entry}/approve", headers=world.staff)).status_code == 200
    await world.api.client.post(f"/v1/hours/{rejected}/reject", json={"reason": "typo"}, headers=world.staff)

    period = {"from": two_ago.isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    response = await world.api.client.get("/v1/insight", params={"hub_id": world.hub, **period}, headers=world.staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["hub_ids"] == [world.hub] and body["from"] == two_ago.isoformat()
    assert body["monthly"] == [
        {"month": two_ago.strftime("%Y-%m"), "hours": 3.5, "entries": 2},
        {"month": last.strftime("%Y-%m"), "hours": 0.0, "entries": 0},
        {"month": this.strftime("%Y-%m"), "hours": 3.0, "entries": 1},
    ]

    other = World(world.api)
    helper, helper_own = await other.active_volunteer()
    entry = await log(other, helper_own, helper["id"], 6, last)
    assert (await other.api.client.post(f"/v1/hours/{entry}/approve", headers=other.staff)).status_code == 200
    both = world.api.auth("staff", "staff-both", (world.hub, other.hub))
    params = [("hub_id", world.hub), ("hub_id", other.hub), *period.items()]
    together = (await world.api.client.get("/v1/insight", params=params, headers=both)).json()
    assert [m["hours"] for m in together["monthly"]] == [3.5, 6.0, 3.0]
    assert "volunteer_id" not in str(together) and vid not in str(together)  # figures only


async def test_hours_insight_is_for_the_hubs_own_staff(world: World) -> None:
    params = {"hub_id": world.hub}
    assert_problem(await world.api.client.get("/v1/insight", params=params), 401)
    other_hub = world.api.auth("staff", hubs=("hub-elsewhere",))
    assert_problem(await world.api.client.get("/v1/insight", params=params, headers=other_hub), 403)
    assert_problem(await world.api.client.get("/v1/insight", params=params, headers=world.api.auth("resident")), 403)
    too_long = {**params, "from": "2020-01-01", "to": "2026-01-01"}
    assert_problem(await world.api.client.get("/v1/insight", params=too_long, headers=world.staff), 422)

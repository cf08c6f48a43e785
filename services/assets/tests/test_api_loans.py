"""Equipment reservations, check-out/in, overdue detection and maintenance, through the real app."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from assets_testkit import NORTH, RIVER, Api, assert_problem

from hub_assets.adapters.loans import LOANS
from hub_assets.adapters.maintenance import MAINTENANCE
from hub_common.auth import Principal

START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)


def kit(quantity: int = 3, **equipment) -> dict:
    return {
        "kind": "equipment",
        "hub_id": NORTH,
        "name": "Litter-picking kit",
        "tags": ["litter-picking"],
        "location": {"lat": 53.815, "lon": -1.55},
        "equipment": {"quantity": quantity, **equipment},
    }


def reservation(start=START, days: int = 2, quantity: int = 1, **extra) -> dict:
    return {
        "borrower_kind": "organisation",
        "borrower_id": "org-friends",
        "starts_at": start.isoformat(),
        "due_at": (start + timedelta(days=days)).isoformat(),
        "quantity": quantity,
        **extra,
    }


@pytest.fixture
async def kit_id(api: Api) -> str:
    return (await api.create(kit()))["id"]


async def reserve(api: Api, asset_id: str, body: dict, who: dict | None = None):
    return await api.client.post(f"/v1/equipment/{asset_id}/loans", json=body, headers=who or api.staff)


async def test_reservations_share_the_quantity_and_never_overcommit_it(api: Api, kit_id: str) -> None:
    assert (await reserve(api, kit_id, reservation(quantity=2))).status_code == 201
    assert (await reserve(api, kit_id, reservation(START + timedelta(days=1), quantity=1))).status_code == 201

    too_many = await reserve(api, kit_id, reservation(START + timedelta(days=1), quantity=1))
    later = await reserve(api, kit_id, reservation(START + timedelta(days=3), quantity=3))

    assert assert_problem(too_many, 409)["available"] == 0
    assert later.status_code == 201
    assert len(await api.events("hub.assets.loan.reserved.v1")) == 3


async def test_concurrent_reservations_of_a_single_item_reserve_it_once(api: Api) -> None:
    projector = (await api.create(kit(quantity=1, serial_number="PJ-1") | {"name": "Projector"}))["id"]

    responses = await asyncio.gather(*[reserve(api, projector, reservation()) for _ in range(20)])

    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    assert await api.ctx.db[LOANS].count_documents({"asset_id": projector}) == 1


async def test_loan_auth_and_bad_input(api: Api, kit_id: str) -> None:
    assert_problem(await reserve(api, kit_id, reservation(), api.auth("resident")), 403)
    assert_problem(await reserve(api, kit_id, reservation(), api.auth("staff", hubs=(RIVER,))), 403)
    assert_problem(await api.client.post(f"/v1/equipment/{kit_id}/loans", json=reservation()), 401)
    assert_problem(await reserve(api, kit_id, reservation(days=60)), 422, "rule-violated")
    assert_problem(await reserve(api, kit_id, reservation(borrower_kind="alien")), 422, "validation")
    assert_problem(await reserve(api, kit_id, reservation(quantity=0)), 422, "validation")
    assert_problem(await reserve(api, "nope", reservation()), 404)
    assert await api.ctx.db[LOANS].count_documents({}) == 0


async def test_check_out_check_in_in_poor_condition_opens_maintenance(api: Api, kit_id: str) -> None:
    now = datetime.now(UTC)
    loan = (
        await reserve(
            api,
            kit_id,
            reservation(now, contact={"display_name": "Bea", "phone": "07700 900123"})
            | {"borrower_kind": "resident", "borrower_id": "res-9"},
        )
    ).json()

    out = await api.client.post(
        f"/v1/loans/{loan['id']}/check-out", json={"condition": "good"}, headers={**api.staff, "If-Match": '"v1"'}
    )
    back = await api.client.post(f"/v1/loans/{loan['id']}/check-in", json={"condition": "broken"}, headers=api.staff)
    again = await api.client.post(f"/v1/loans/{loan['id']}/check-in", json={"condition": "good"}, headers=api.staff)

    assert out.json()["status"] == "checked_out" and back.json()["status"] == "returned"
    assert back.json()["condition_in"] == "broken"
    assert_problem(again, 409)
    asset = (await api.client.get(f"/v1/assets/{kit_id}")).json()
    assert asset["equipment"]["condition"] == "broken"
    [record] = await api.ctx.db[MAINTENANCE].find({"asset_id": kit_id}).to_list()
    assert record["source"] == "check_in" and record["status"] == "open"
    [returned] = await api.events("hub.assets.loan.returned.v1", loan["id"])
    assert returned["data"]["condition"] == "broken"
    assert await api.events("hub.assets.maintenance.opened.v1", kit_id)
    [contact] = await api.events("hub.assets.contact.upserted.v1", "res-9")
    assert contact["topic"] == "hub.contacts" and contact["data"]["consented_channels"] == ["sms"]
    assert "07700" not in str([e["data"] for e in await api.events("hub.assets.loan.reserved.v1")])
    assert_problem(await reserve(api, kit_id, reservation()), 409)  # broken: not lent until repaired


async def test_overdue_detection_marks_each_late_loan_once(api: Api, kit_id: str) -> None:
    now = datetime.now(UTC)
    late = (await reserve(api, kit_id, reservation(now, days=1))).json()
    on_time = (await reserve(api, kit_id, reservation(now, days=5))).json()
    for loan in (late, on_time):
        await api.client.post(f"/v1/loans/{loan['id']}/check-out", json={"condition": "good"}, headers=api.staff)

    two_days_later = api.at(lambda: now + timedelta(days=2)).loans
    assert await two_days_later.mark_overdue() == 1
    assert await two_days_later.mark_overdue() == 0

    [event] = await api.events("hub.assets.loan.overdue.v1")
    assert event["subject"] == late["id"] and event["data"]["status"] == "checked_out"
    listed = await api.client.get("/v1/loans", params={"hub_id": NORTH, "status": "checked_out"}, headers=api.staff)
    assert [loan["overdue_since"] is not None for loan in listed.json()["items"]] == [True, False]
    run = await api.client.post("/v1/periodic/run", headers=api.auth("operator"))
    assert run.json()["loans_overdue"] == 0  # the real clock: not two days later yet
    assert_problem(await api.client.post("/v1/periodic/run", headers=api.staff), 403)


async def test_cancelled_reservation_frees_the_items(api: Api) -> None:
    single = (await api.create(kit(quantity=1)))["id"]
    loan = (await reserve(api, single, reservation())).json()

    cancelled = await api.client.post(f"/v1/loans/{loan['id']}/cancel", headers=api.staff)

    assert cancelled.json()["status"] == "cancelled"
    assert (await reserve(api, single, reservation())).status_code == 201
    assert await api.events("hub.assets.loan.cancelled.v1", loan["id"])


async def test_staff_open_and_complete_maintenance(api: Api, kit_id: str) -> None:
    opened = await api.client.post(
        f"/v1/assets/{kit_id}/maintenance", json={"summary": "Replace grabbers"}, headers=api.staff
    )
    record = opened.json()
    assert_problem(await api.client.get(f"/v1/assets/{kit_id}/maintenance", headers=api.auth("resident")), 403)

    done = await api.client.post(
        f"/v1/maintenance/{record['id']}/complete",
        json={"notes": "new grabbers"},
        headers={**api.staff, "If-Match": '"v1"'},
    )
    twice = await api.client.post(f"/v1/maintenance/{record['id']}/complete", json={}, headers=api.staff)

    assert opened.status_code == 201 and done.json()["status"] == "completed"
    assert_problem(twice, 409)
    listed = await api.client.get(f"/v1/assets/{kit_id}/maintenance", headers=api.staff)
    assert [r["status"] for r in listed.json()["items"]] == ["completed"]
    assert await api.events("hub.assets.maintenance.completed.v1", kit_id)


async def test_inspections_fall_due_once_and_completing_one_resets_the_interval(api: Api) -> None:
    drill = (await api.create(kit(quantity=1, inspection_interval_days=90) | {"name": "Power drill"}))["id"]
    await api.create(kit() | {"name": "Gloves"})  # no inspections
    now = datetime.now(UTC)

    assert await api.use_cases.maintenance.open_inspections_due() == 0
    later = api.at(lambda: now + timedelta(days=91)).maintenance
    assert await later.open_inspections_due() == 1
    assert await later.open_inspections_due() == 0
    [due] = await api.events("hub.assets.maintenance.due.v1")
    assert due["subject"] == drill and due["data"]["source"] == "inspection"

    [record] = (await api.client.get(f"/v1/assets/{drill}/maintenance", headers=api.staff)).json()["items"]
    staff = Principal(sub="staff-1", role="staff", hubs=(NORTH,))
    done = await later.complete(staff, record["id"], "PAT passed", expected=1)
    assert done.status == "completed"
    equipment = (await api.client.get(f"/v1/assets/{drill}")).json()["equipment"]
    assert equipment["last_inspected_at"].startswith((now + timedelta(days=91)).date().isoformat())
    assert await later.open_inspections_due() == 0  # the next one is 90 days after this inspection
    assert await api.at(lambda: now + timedelta(days=182)).maintenance.open_inspections_due() == 1

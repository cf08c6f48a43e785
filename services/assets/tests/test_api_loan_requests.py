"""Residents' requests to borrow equipment: requested → approved (reserved) | declined | cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from assets_testkit import NORTH, RIVER, Api, assert_problem

from hub_assets.adapters.loans import LOANS

START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
RESIDENT = "web-resident-7"
CONTACT = {"display_name": "Winifred Quill", "email": "winnie@example.org"}


@pytest.fixture
async def kit_id(api: Api) -> str:
    body = {
        "kind": "equipment",
        "hub_id": NORTH,
        "name": "Litter-picking kit",
        "location": {"lat": 53.815, "lon": -1.55},
        "equipment": {"quantity": 2, "max_loan_days": 7},
    }
    return (await api.create(body))["id"]


def request_body(start: datetime = START, days: int = 2, quantity: int = 1, **extra) -> dict:
    due = start + timedelta(days=days)
    return {"starts_at": start.isoformat(), "due_at": due.isoformat(), "quantity": quantity, **extra}


async def ask(api: Api, kit_id: str, body: dict, who: dict | None = None):
    headers = who if who is not None else api.auth("resident", RESIDENT, ())
    return await api.client.post(f"/v1/equipment/{kit_id}/loan-requests", json=body, headers=headers)


async def test_a_resident_asks_staff_approve_and_it_becomes_a_reservation(api: Api, kit_id: str) -> None:
    asked = await ask(api, kit_id, request_body(notes="Saturday's litter pick", contact=CONTACT))
    assert asked.status_code == 201, asked.text
    loan = asked.json()
    assert loan["status"] == "requested" and loan["borrower_kind"] == "resident" and loan["borrower_id"] == RESIDENT

    [requested] = await api.events("hub.assets.loan.requested.v1")
    assert requested["topic"] == "hub.assets.events" and requested["data"]["borrower_id"] == RESIDENT
    assert "winnie" not in str(requested) and "Quill" not in str(requested)  # contact details only on hub.contacts
    [contact] = await api.events("hub.assets.contact.upserted.v1", RESIDENT)
    assert contact["topic"] == "hub.contacts" and contact["data"]["email"] == "winnie@example.org"

    # A request holds nothing: staff can still reserve both items, and then approving finds none free.
    waiting = await api.client.get("/v1/loans", params={"hub_id": NORTH, "status": "requested"}, headers=api.staff)
    assert [item["id"] for item in waiting.json()["items"]] == [loan["id"]]
    mine = await api.client.get("/v1/loans", headers=api.auth("resident", RESIDENT, ()))
    assert [item["id"] for item in mine.json()["items"]] == [loan["id"]]
    assert_problem(
        await api.client.get(f"/v1/loans/{loan['id']}", headers=api.auth("resident", "someone-else", ())), 404
    )

    approved = await api.client.post(f"/v1/loans/{loan['id']}/approve", headers={**api.staff, "If-Match": '"v1"'})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "reserved" and approved.headers["etag"] == '"v2"'
    [reserved] = await api.events("hub.assets.loan.reserved.v1")
    assert reserved["data"]["loan_id"] == loan["id"] and reserved["data"]["borrower_id"] == RESIDENT
    assert_problem(await api.client.post(f"/v1/loans/{loan['id']}/approve", headers=api.staff), 409)
    own = await api.client.get(f"/v1/loans/{loan['id']}", headers=api.auth("resident", RESIDENT, ()))
    assert own.json()["status"] == "reserved"


async def test_staff_decline_with_a_reason_and_residents_cancel_their_own(api: Api, kit_id: str) -> None:
    first = (await ask(api, kit_id, request_body())).json()
    declined = await api.client.post(
        f"/v1/loans/{first['id']}/decline", json={"reason": "All out that weekend"}, headers=api.staff
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    [event] = await api.events("hub.assets.loan.declined.v1")
    assert event["data"]["reason"] == "All out that weekend" and event["data"]["status"] == "declined"
    assert_problem(await api.client.post(f"/v1/loans/{first['id']}/approve", headers=api.staff), 409)

    second = (await ask(api, kit_id, request_body())).json()
    other = api.auth("resident", "someone-else", ())
    assert_problem(await api.client.post(f"/v1/loans/{second['id']}/cancel", headers=other), 403)
    cancelled = await api.client.post(f"/v1/loans/{second['id']}/cancel", headers=api.auth("resident", RESIDENT, ()))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


async def test_approving_checks_the_quantity_again(api: Api, kit_id: str) -> None:
    loan = (await ask(api, kit_id, request_body(quantity=2))).json()
    staff_loan = {"borrower_kind": "organisation", "borrower_id": "org-1", **request_body()}
    reserved = await api.client.post(f"/v1/equipment/{kit_id}/loans", json=staff_loan, headers=api.staff)
    assert reserved.status_code == 201, reserved.text
    body = assert_problem(await api.client.post(f"/v1/loans/{loan['id']}/approve", headers=api.staff), 409)
    assert body["available"] == 1
    assert (await api.ctx.db[LOANS].find_one({"_id": loan["id"]}))["status"] == "requested"


async def test_who_may_ask_and_decide_and_bad_requests(api: Api, kit_id: str) -> None:
    assert_problem(await ask(api, kit_id, request_body(), who={}), 401)
    assert_problem(await ask(api, kit_id, request_body(), who=api.staff), 403)  # staff reserve instead
    assert_problem(await ask(api, "no-such-kit", request_body()), 404)
    assert_problem(await ask(api, kit_id, request_body(days=30)), 422)  # longer than it is lent for
    assert_problem(await ask(api, kit_id, request_body(quantity=3)), 409)  # more than there are
    assert_problem(await ask(api, kit_id, {**request_body(), "borrower_id": "someone"}), 422)
    assert_problem(await ask(api, kit_id, request_body(start=START - timedelta(days=5))), 422)
    loan = (await ask(api, kit_id, request_body())).json()
    for who in ({}, api.auth("resident", RESIDENT, ()), api.auth("staff", "staff-9", (RIVER,))):
        response = await api.client.post(f"/v1/loans/{loan['id']}/approve", headers=who)
        assert response.status_code in (401, 403), response.text
        response = await api.client.post(f"/v1/loans/{loan['id']}/decline", headers=who)
        assert response.status_code in (401, 403), response.text
    assert_problem(
        await api.client.post(f"/v1/loans/{loan['id']}/approve", headers={**api.staff, "If-Match": '"v7"'}), 412
    )
    assert_problem(
        await api.client.post(f"/v1/loans/{loan['id']}/check-out", json={"condition": "good"}, headers=api.staff), 409
    )
    assert (await api.ctx.db[LOANS].find_one({"_id": loan["id"]}))["status"] == "requested"

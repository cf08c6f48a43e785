"""Room bookings through the real app and database: rules, approval, lifecycle, concurrency, iCalendar."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from assets_testkit import NORTH, RIVER, Api, assert_problem, next_weekday_at, room_body
from icalendar import Calendar

from hub_assets.adapters.bookings import BOOKINGS

SLOT = next_weekday_at(10)


def slot(start=SLOT, minutes: int = 60, **extra) -> dict:
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(minutes=minutes)).isoformat(), **extra}


@pytest.fixture
async def room(api: Api) -> str:
    return (await api.create(room_body()))["id"]


@pytest.fixture
async def approval_room(api: Api) -> str:
    body = room_body(name="Main Hall", room={"capacity": 80, "policy": {"requires_approval": True}})
    return (await api.create(body))["id"]


async def book(api: Api, room_id: str, body: dict, who: dict | None = None):
    return await api.client.post(f"/v1/rooms/{room_id}/bookings", json=body, headers=who or api.auth("resident"))


async def test_resident_books_a_free_slot_and_it_is_confirmed_with_an_event(api: Api, room: str) -> None:
    contact = {"display_name": "Ada", "email": "ada@example.org"}
    response = await book(api, room, slot(purpose="Knit and natter", attendees=8, contact=contact))

    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["status"] == "confirmed" and booking["booker_id"] == "resident-1"
    [event] = await api.events("hub.assets.booking.confirmed.v1", booking["id"])
    assert event["data"]["asset_id"] == room and event["data"]["booker_id"] == "resident-1"
    assert "ada@example.org" not in str(event["data"]) and "Knit" not in str(event["data"])
    [contact_event] = await api.events("hub.assets.contact.upserted.v1")
    assert contact_event["topic"] == "hub.contacts" and contact_event["data"]["email"] == "ada@example.org"


async def test_an_overlapping_booking_is_a_409_and_back_to_back_is_fine(api: Api, room: str) -> None:
    assert (await book(api, room, slot())).status_code == 201

    clash = await book(api, room, slot(SLOT + timedelta(minutes=30)), api.auth("resident", sub="someone-else"))
    after = await book(api, room, slot(SLOT + timedelta(minutes=60)))

    problem = assert_problem(clash, 409, "conflict")
    assert problem["conflicts"][0]["starts_at"].startswith(SLOT.isoformat()[:16])
    assert after.status_code == 201
    assert await api.ctx.db[BOOKINGS].count_documents({"status": "confirmed"}) == 2


async def test_rule_breaking_requests_are_422_and_write_nothing(api: Api, room: str) -> None:
    too_short = await book(api, room, slot(minutes=10))
    too_soon = await book(api, room, slot(next_weekday_at(0, days_ahead=0) - timedelta(hours=1)))
    too_many = await book(api, room, slot(attendees=50))
    naive = await book(api, room, {"starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T11:00:00"})

    assert "at least 30 minutes" in assert_problem(too_short, 422, "rule-violated")["detail"]
    assert "minutes ahead" in assert_problem(too_soon, 422, "rule-violated")["detail"]
    assert "at most 12 people" in assert_problem(too_many, 422, "rule-violated")["detail"]
    assert_problem(naive, 422, "validation")
    assert await api.ctx.db[BOOKINGS].count_documents({}) == 0
    assert await api.events("hub.assets.booking.confirmed.v1") == []


async def test_blackouts_and_who_may_book(api: Api) -> None:
    blackout = {
        "starts_at": (SLOT - timedelta(hours=1)).isoformat(),
        "ends_at": (SLOT + timedelta(hours=3)).isoformat(),
        "reason": "polling station",
    }
    body = room_body(room={"policy": {"bookable_by": ["staff", "partner"]}, "blackouts": [blackout]})
    room_id = (await api.create(body))["id"]

    resident = await book(api, room_id, slot(SLOT + timedelta(hours=4)))
    in_blackout = await book(api, room_id, slot(), api.auth("partner"))
    other_hub_partner = await book(api, room_id, slot(SLOT + timedelta(hours=4)), api.auth("partner", hubs=(RIVER,)))
    partner = await book(api, room_id, slot(SLOT + timedelta(hours=4)), api.auth("partner"))

    assert "booked by: staff, partner" in assert_problem(resident, 422)["detail"]
    assert "polling station" in assert_problem(in_blackout, 422)["detail"]
    assert_problem(other_hub_partner, 403)
    assert partner.status_code == 201


async def test_anonymous_cannot_book_and_unknown_room_is_404(api: Api, room: str) -> None:
    assert_problem(await api.client.post(f"/v1/rooms/{room}/bookings", json=slot()), 401)
    assert_problem(await book(api, "no-such-room", slot()), 404)


async def test_approval_flow_request_then_staff_confirm_or_decline(api: Api, approval_room: str) -> None:
    first = (await book(api, approval_room, slot(), api.auth("partner", sub="group-a"))).json()
    second = (await book(api, approval_room, slot(), api.auth("resident", sub="res-b"))).json()
    assert first["status"] == second["status"] == "requested"

    pending = await api.client.get("/v1/bookings", params={"hub_id": NORTH}, headers=api.staff)
    assert {b["id"] for b in pending.json()["items"]} == {first["id"], second["id"]}
    assert_problem(await api.client.post(f"/v1/bookings/{first['id']}/confirm", headers=api.auth("resident")), 403)

    confirmed = await api.client.post(f"/v1/bookings/{first['id']}/confirm", headers={**api.staff, "If-Match": '"v1"'})
    clash = await api.client.post(f"/v1/bookings/{second['id']}/confirm", headers=api.staff)
    declined = await api.client.post(
        f"/v1/bookings/{second['id']}/decline", json={"reason": "hall already booked"}, headers=api.staff
    )

    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert confirmed.headers["ETag"] == '"v2"'
    assert_problem(clash, 409)
    assert declined.json()["status"] == "declined"
    [event] = await api.events("hub.assets.booking.declined.v1", second["id"])
    assert event["data"]["reason"] == "hall already booked"
    assert len(await api.events("hub.assets.booking.requested.v1")) == 2


async def test_booker_cancels_their_own_booking_others_cannot(api: Api, room: str) -> None:
    booking = (await book(api, room, slot())).json()
    url = f"/v1/bookings/{booking['id']}/cancel"

    assert_problem(await api.client.post(url, headers=api.auth("resident", sub="stranger")), 403)
    assert_problem(await api.client.get(f"/v1/bookings/{booking['id']}", headers=api.auth("resident", sub="x")), 404)
    assert_problem(await api.client.post(url, headers={**api.auth("resident"), "If-Match": '"v9"'}), 412)
    cancelled = await api.client.post(url, json={"reason": "ill"}, headers=api.auth("resident"))

    assert cancelled.json()["status"] == "cancelled"
    assert (await api.events("hub.assets.booking.cancelled.v1", booking["id"]))[0]["data"]["reason"] == "ill"
    assert (await book(api, room, slot(), api.auth("resident", sub="next"))).status_code == 201  # slot is free again
    mine = await api.client.get("/v1/bookings", headers=api.auth("resident"))
    assert [b["status"] for b in mine.json()["items"]] == ["cancelled"]


async def test_fifty_simultaneous_requests_for_one_slot_confirm_exactly_one(api: Api, room: str) -> None:
    responses = await asyncio.gather(
        *[book(api, room, slot(), api.auth("resident", sub=f"resident-{i}")) for i in range(50)]
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == 49, statuses
    assert await api.ctx.db[BOOKINGS].count_documents({"room_id": room, "status": "confirmed"}) == 1
    assert len(await api.events("hub.assets.booking.confirmed.v1")) == 1


async def test_simultaneous_requests_for_distinct_slots_all_succeed(api: Api, room: str) -> None:
    # 30 slots over 10 days: rooms lock per day, so only same-day requests queue behind each other.
    responses = await asyncio.gather(
        *[
            book(
                api,
                room,
                slot(SLOT + timedelta(days=i // 3, minutes=60 * (i % 3))),
                api.auth("resident", sub=f"r{i}"),
            )
            for i in range(30)
        ]
    )

    assert [r.status_code for r in responses if r.status_code != 201] == []
    assert await api.ctx.db[BOOKINGS].count_documents({"room_id": room, "status": "confirmed"}) == 30


async def test_weekly_series_books_free_weeks_and_reports_conflicts(api: Api, room: str) -> None:
    taken = await book(api, room, slot(SLOT + timedelta(weeks=2)), api.auth("resident", sub="other"))
    assert taken.status_code == 201

    response = await api.client.post(
        f"/v1/rooms/{room}/bookings/weekly", json={**slot(), "weeks": 4}, headers=api.auth("partner")
    )

    assert response.status_code == 201, response.text
    series = response.json()
    assert len(series["booked"]) == 3
    [conflict] = series["conflicts"]
    assert conflict["reasons"] == ["the room is already booked for part of this slot"]
    assert all(b["series_id"] == series["series_id"] for b in series["booked"])


async def test_icalendar_feed_lists_confirmed_bookings_without_booker_details(
    api: Api, room: str, approval_room
) -> None:
    booking = (await book(api, room, slot(purpose="Private family meeting"))).json()
    await book(api, room, slot(SLOT + timedelta(hours=2)))
    cancelled = (await book(api, room, slot(SLOT + timedelta(hours=4)))).json()
    await api.client.post(f"/v1/bookings/{cancelled['id']}/cancel", headers=api.auth("resident"))

    response = await api.client.get(f"/v1/rooms/{room}/calendar.ics")

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 2
    assert str(events[0]["uid"]) == f"{booking['id']}@assets.hub"
    assert events[0].decoded("dtstart") == SLOT
    assert b"Private family" not in response.content and b"resident-1" not in response.content


async def test_usage_report_per_room_and_organisation(api: Api, room: str, approval_room: str) -> None:
    partner = api.auth("partner", sub="group-lead")
    knitters = {"kind": "organisation", "hub_id": NORTH, "name": "Knitters", "organisation": {"org_type": "informal"}}
    org = (await api.create(knitters, headers=partner))["id"]
    unknown_org = await book(api, room, slot(organisation_id="no-such-group"), partner)
    assert assert_problem(unknown_org, 422)["errors"][0]["field"] == "organisation_id"
    await book(api, room, slot(organisation_id=org), partner)
    await book(api, room, slot(SLOT + timedelta(hours=2), minutes=90, organisation_id=org), partner)
    await book(api, room, slot(SLOT + timedelta(hours=5)))  # a resident, no organisation
    hall = (await book(api, approval_room, slot(organisation_id=org), api.staff)).json()
    await book(api, approval_room, slot(SLOT + timedelta(hours=3)), partner)  # requested only: not counted
    cancelled = (await book(api, room, slot(SLOT + timedelta(days=1)))).json()
    await api.client.post(f"/v1/bookings/{cancelled['id']}/cancel", headers=api.auth("resident"))
    period = {
        "hub_id": NORTH,
        "from": (SLOT - timedelta(days=1)).isoformat(),
        "to": (SLOT + timedelta(days=7)).isoformat(),
    }

    response = await api.client.get("/v1/usage", params=period, headers=api.staff)

    assert response.status_code == 200, response.text
    report = response.json()
    rooms = {r["room_id"]: r for r in report["rooms"]}
    assert rooms[room]["bookings"] == 3 and rooms[room]["hours"] == 3.5
    assert rooms[approval_room]["bookings"] == 1 and rooms[approval_room]["name"] == "Main Hall"
    usage = next(o for o in report["organisations"] if o["organisation"] == org)
    assert usage == {"organisation": org, "bookings": 3, "hours": 3.5, "rooms": 2}
    assert hall["status"] == "confirmed"
    assert_problem(await api.client.get("/v1/usage", params=period, headers=api.auth("partner")), 403)
    assert_problem(await api.client.get("/v1/usage", params={**period, "to": period["from"]}, headers=api.staff), 422)


async def test_periodic_run_completes_confirmed_bookings_that_ended_once(api: Api, room: str) -> None:
    held = (await book(api, room, slot())).json()
    requested_elsewhere = (await book(api, room, slot(SLOT + timedelta(hours=3)))).json()
    await api.client.post(f"/v1/bookings/{requested_elsewhere['id']}/cancel", headers=api.auth("resident"))
    after = api.at(lambda: SLOT + timedelta(hours=5))

    first = await after.periodic.run_all()
    again = await after.periodic.run_all()

    assert first["bookings_completed"] == 1 and again["bookings_completed"] == 0
    assert (await api.client.get(f"/v1/bookings/{held['id']}", headers=api.auth("resident"))).json()["status"] == (
        "completed"
    )
    [event] = await api.events("hub.assets.booking.completed.v1")
    assert event["subject"] == held["id"] and event["data"]["location"] == {"lat": 53.815, "lon": -1.55}


async def test_staff_confirming_overlapping_requests_at_once_confirm_only_one(api: Api, approval_room: str) -> None:
    requests = [
        (
            await book(api, approval_room, slot(SLOT + timedelta(minutes=15 * i)), api.auth("resident", sub=f"r{i}"))
        ).json()
        for i in range(4)
    ]
    assert {r["status"] for r in requests} == {"requested"}

    responses = await asyncio.gather(
        *[api.client.post(f"/v1/bookings/{r['id']}/confirm", headers=api.staff) for r in requests]
    )

    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409]
    assert await api.ctx.db[BOOKINGS].count_documents({"room_id": approval_room, "status": "confirmed"}) == 1


async def test_forget_me_erases_contact_details_and_booking_free_text(api: Api, room: str) -> None:
    contact = {"display_name": "Ada", "email": "ada@example.org"}
    keyed = {**api.auth("resident"), "Idempotency-Key": "book-1"}
    mine = (await book(api, room, slot(purpose="Ada's birthday", contact=contact), keyed)).json()
    other = (await book(api, room, slot(SLOT + timedelta(hours=2), purpose="Choir"), api.auth("resident", "r2"))).json()

    response = await api.client.post("/v1/me/forget", headers=api.auth("resident"))

    assert response.status_code == 202 and response.json() == {"bookings_cleared": 1}
    assert (await api.client.get(f"/v1/bookings/{mine['id']}", headers=api.auth("resident"))).json()["purpose"] == ""
    assert (await api.ctx.db[BOOKINGS].find_one({"_id": other["id"]}))["purpose"] == "Choir"
    [erased] = await api.events("hub.assets.contact.erased.v1")
    assert erased["topic"] == "hub.contacts" and erased["data"] == {"person_id": "resident-1"}
    # The stored response of the booking request (its purpose) goes too; a repeat is refused.
    [stored] = await api.ctx.db["idempotency_keys"].find({"about": "resident-1"}).to_list()
    assert "result" not in stored and "birthday" not in str(stored)
    assert_problem(await book(api, room, slot(purpose="Ada's birthday", contact=contact), keyed), 410)
    assert_problem(await api.client.post("/v1/me/forget"), 401)

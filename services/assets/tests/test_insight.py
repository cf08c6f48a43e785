"""Staff insight: room bookings and equipment loans per month, for one hub or several."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assets_testkit import NORTH, RIVER, Api, assert_problem, next_weekday_at, room_body

from hub_assets.adapters.bookings import BOOKINGS
from hub_assets.adapters.loans import LOANS


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


async def _seed(api: Api) -> None:
    """Past bookings and loans as the service stores them (only the fields the figures read matter)."""
    bookings = [
        ("b1", NORTH, "completed", at(1, 5), 120),
        ("b2", NORTH, "completed", at(1, 20), 60),
        ("b3", NORTH, "cancelled", at(1, 21), 60),  # not held: not counted
        ("b4", NORTH, "completed", at(3, 2), 90),
        ("b5", RIVER, "completed", at(2, 14), 30),
        ("b6", NORTH, "completed", at(4, 1), 60),  # after the period
    ]
    await api.db[BOOKINGS].insert_many(
        [
            {"_id": i, "hub_id": hub, "room_id": "room-x", "status": status, "starts_at": start}
            | {"ends_at": start + timedelta(minutes=minutes), "booker_id": "someone"}
            for i, hub, status, start, minutes in bookings
        ]
    )
    loans = [
        ("l1", NORTH, "returned", at(1, 7)),
        ("l2", NORTH, "checked_out", at(2, 27)),
        ("l3", NORTH, "reserved", None),  # not handed over
        ("l4", RIVER, "returned", at(2, 1)),
    ]
    await api.db[LOANS].insert_many(
        [
            {"_id": i, "hub_id": hub, "status": status, "checked_out_at": out, "borrower_id": "someone"}
            for i, hub, status, out in loans
        ]
    )


PERIOD = {"from": "2026-01-01", "to": "2026-04-01"}


async def test_bookings_and_loans_per_month_of_one_hub_and_of_both(api: Api) -> None:
    await _seed(api)
    response = await api.client.get("/v1/insight", params={"hub_id": NORTH, **PERIOD}, headers=api.staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["hub_ids"], body["from"], body["to"]) == ([NORTH], "2026-01-01", "2026-04-01")
    assert body["monthly"] == [
        {"month": "2026-01", "bookings": 2, "booked_hours": 3.0, "loans": 1},
        {"month": "2026-02", "bookings": 0, "booked_hours": 0.0, "loans": 1},
        {"month": "2026-03", "bookings": 1, "booked_hours": 1.5, "loans": 0},
    ]
    assert "someone" not in response.text and "room-x" not in response.text  # figures only

    both = api.auth("staff", "staff-both", (NORTH, RIVER))
    params = [("hub_id", NORTH), ("hub_id", RIVER), *PERIOD.items()]
    together = (await api.client.get("/v1/insight", params=params, headers=both)).json()
    assert [(m["bookings"], m["loans"]) for m in together["monthly"]] == [(2, 1), (1, 2), (1, 0)]
    assert together["monthly"][1]["booked_hours"] == 0.5


async def test_a_booking_made_through_the_api_counts_in_its_month(api: Api) -> None:
    room = (await api.create(room_body()))["id"]
    start = next_weekday_at(10)
    body = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}
    booked = await api.client.post(f"/v1/rooms/{room}/bookings", json=body, headers=api.auth("resident"))
    assert booked.status_code == 201, booked.text
    period = {"from": start.date().isoformat(), "to": (start.date() + timedelta(days=1)).isoformat()}
    monthly = (await api.client.get("/v1/insight", params={"hub_id": NORTH, **period}, headers=api.staff)).json()
    assert monthly["monthly"] == [{"month": start.strftime("%Y-%m"), "bookings": 1, "booked_hours": 2.0, "loans": 0}]


async def test_use_insight_is_for_the_hubs_own_staff(api: Api) -> None:
    params = {"hub_id": NORTH, **PERIOD}
    assert_problem(await api.client.get("/v1/insight", params=params), 401)
    assert_problem(await api.client.get("/v1/insight", params=params, headers=api.auth("staff", hubs=(RIVER,))), 403)
    assert_problem(await api.client.get("/v1/insight", params=params, headers=api.auth("resident")), 403)
    assert_problem(await api.client.get("/v1/insight", params=params, headers=api.auth("partner")), 403)

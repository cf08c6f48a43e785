"""The seams of the service's shape: each repository's named queries run on the indexes declared beside
them, bootstrap builds every use case once for the routes, handlers and worker, and opening hours are
local wall-clock times however they were written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from assets_testkit import NORTH, Api, assert_problem, room_body, winning_indexes

from hub_assets.adapters.acv import NominationRepository
from hub_assets.adapters.assets import ASSETS, AssetRepository
from hub_assets.adapters.bookings import BOOKINGS, BookingRepository
from hub_assets.adapters.loans import LOANS, LoanRepository
from hub_assets.adapters.maintenance import MaintenanceRepository
from hub_assets.domain.assets import OpeningHours

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def test_every_named_list_query_runs_on_a_declared_index(api: Api) -> None:
    # A hint naming an index the collection lacks fails the query: each of these would raise.
    db = api.db
    bookings, loans = BookingRepository(db), LoanRepository(db)
    assert await bookings.of_room("r", None, limit=5, cursor=None) == ([], None)
    assert await bookings.in_hub(NORTH, "requested", limit=5, cursor=None) == ([], None)
    assert await bookings.of_booker("b", "confirmed", limit=5, cursor=None) == ([], None)
    assert await bookings.in_room("r", statuses=("confirmed",), since=NOW) == []
    assert await bookings.ended_confirmed(NOW, 10) == []
    assert await bookings.usage(NORTH, NOW, NOW.replace(year=2027)) == []
    assert await loans.in_hub(NORTH, "checked_out", limit=5, cursor=None) == ([], None)
    assert await loans.overdue_candidates(NOW) == []
    assert await loans.active_for("kit") == []
    assert await MaintenanceRepository(db).for_asset("kit", limit=5, cursor=None) == ([], None)
    nominations = NominationRepository(db)
    assert await nominations.listing(hub_id=NORTH, status="listed", limit=5, cursor=None) == ([], None)
    assert await nominations.listing(hub_id=None, status="listed", limit=5, cursor=None) == ([], None)
    assert await nominations.listed_ids() == []
    assert await AssetRepository(db).active_of_kinds(("service",), hub_id=NORTH, skip=0, limit=5) == ([], 0)
    assert await AssetRepository(db).with_inspections() == []


@pytest.mark.parametrize(
    ("collection", "query", "index"),
    [
        (BOOKINGS, {"booker_id": "b"}, "by_booker"),
        (BOOKINGS, {"hub_id": NORTH, "status": "requested"}, "by_hub"),
        (BOOKINGS, {"room_id": "r", "status": "confirmed"}, "by_room"),
        (LOANS, {"hub_id": NORTH, "status": "checked_out"}, "by_hub"),
    ],
)
async def test_the_booking_and_loan_lists_are_index_scans(api: Api, collection: str, query: dict, index: str) -> None:
    plan = await api.db[collection].find(query).hint(index).explain()
    assert winning_indexes(plan) == [index], plan


async def test_bootstrap_builds_each_use_case_once_for_routes_handlers_and_worker(api: Api) -> None:
    components = api.ctx.components
    assert api.use_cases is components.use_cases is api.ctx.components.use_cases
    jobs = api.use_cases.periodic.jobs
    assert [task.name for task in components.periodic] == [f"assets-{name}" for name in jobs]
    assert [task.run for task in components.periodic] == list(jobs.values())
    assert jobs["loans_overdue"].__self__ is api.use_cases.loans


async def test_opening_hours_are_hh_mm_and_earlier_spellings_still_load(api: Api) -> None:
    hours = [
        {"weekday": 0, "opens": "08:00:00", "closes": "22:00"},
        {"weekday": 1, "opens": "09:30", "closes": "17:00"},
    ]
    created = await api.create(room_body(opening_hours=hours))
    assert [(h["opens"], h["closes"]) for h in created["opening_hours"]] == [("08:00", "22:00"), ("09:30", "17:00")]

    with_offset = room_body(opening_hours=[{"weekday": 0, "opens": "08:00+01:00", "closes": "22:00"}])
    assert_problem(await api.client.post("/v1/assets", json=with_offset, headers=api.staff), 422, "validation")

    # A document stored before (times written "HH:MM:SS") still loads, and answers "HH:MM".
    await api.db[ASSETS].update_one(
        {"_id": created["id"]}, {"$set": {"opening_hours.1.opens": "09:30:00", "opening_hours.1.closes": "17:00:00"}}
    )
    stored = (await api.client.get(f"/v1/assets/{created['id']}")).json()
    assert stored["opening_hours"][1] == {"weekday": 1, "opens": "09:30", "closes": "17:00"}


def test_opening_hours_schema_is_the_pattern_the_api_answers() -> None:
    schema = OpeningHours.model_json_schema(mode="serialization")["properties"]["opens"]
    assert schema["pattern"] == OpeningHours.model_json_schema(mode="validation")["properties"]["opens"]["pattern"]
    assert "format" not in schema
    assert OpeningHours(weekday=0, opens="07:05:00", closes="19:00").model_dump(mode="json")["opens"] == "07:05"

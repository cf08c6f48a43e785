"""Matching: only eligible pairs are ranked, and the score is explained factor by factor."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from volunteers_testkit import World, role, shift, volunteer

from hub_volunteers.domain.matching import WEIGHTS, availability_overlap, score
from hub_volunteers.domain.shifts import suggested_slot
from hub_volunteers.domain.volunteers import Slot

# 2026-12-01 is a Tuesday.
TUESDAY_EVENING = shift(
    starts_at=datetime(2026, 12, 1, 18, 0, tzinfo=UTC), ends_at=datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
)


def test_availability_overlap_is_the_share_of_the_shift_covered() -> None:
    tuesdays = volunteer(availability=[Slot(day="tue", start=time(19, 0), end=time(22, 0))])
    assert availability_overlap(tuesdays, TUESDAY_EVENING.starts_at, TUESDAY_EVENING.ends_at) == 2 / 3
    mondays = volunteer(availability=[Slot(day="mon", start=time(18, 0), end=time(21, 0))])
    assert availability_overlap(mondays, TUESDAY_EVENING.starts_at, TUESDAY_EVENING.ends_at) == 0


def test_availability_is_read_in_the_hubs_time_zone() -> None:
    # 17:00-20:00 UTC on Tuesday 7 July 2026 is 18:00-21:00 in London (summer time).
    summer = shift(starts_at=datetime(2026, 7, 7, 17, 0, tzinfo=UTC), ends_at=datetime(2026, 7, 7, 20, 0, tzinfo=UTC))
    evenings = volunteer(availability=[Slot(day="tue", start=time(18, 0), end=time(21, 0))])
    london = ZoneInfo("Europe/London")
    assert availability_overlap(evenings, summer.starts_at, summer.ends_at, london) == 1.0
    assert availability_overlap(evenings, summer.starts_at, summer.ends_at, UTC) == 2 / 3


def test_a_suggested_shift_is_on_saturday_morning_hub_time() -> None:
    start, end = suggested_slot(datetime(2026, 7, 6, 12, 0, tzinfo=UTC), ZoneInfo("Europe/London"))  # a Monday
    assert start == datetime(2026, 7, 11, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert end - start == timedelta(hours=2)
    start, _ = suggested_slot(datetime(2026, 11, 26, 12, 0, tzinfo=UTC), ZoneInfo("Europe/London"))  # a Thursday
    assert start == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # two days later is that Saturday; 10:00 GMT


def test_ineligible_volunteers_are_not_ranked() -> None:
    assert score(volunteer(status="applicant"), role(), TUESDAY_EVENING, 0) is None


def test_better_availability_same_hub_and_lighter_load_rank_higher() -> None:
    free = volunteer(availability=[Slot(day="tue", start=time(17, 0), end=time(22, 0))])
    busy_elsewhere = volunteer(hub_id="hub-riverside", availability=[])
    best = score(free, role(), TUESDAY_EVENING, recent_shifts=0)
    worst = score(busy_elsewhere, role(), TUESDAY_EVENING, recent_shifts=6)
    assert best is not None and worst is not None
    assert best.score > worst.score
    points = {f.name: f.points for f in best.factors}
    assert points["availability"] == WEIGHTS["availability"] and points["same_hub"] == WEIGHTS["same_hub"]
    assert points["fair_share"] == WEIGHTS["fair_share"]
    assert best.score == sum(points.values())
    worst_points = {f.name: f.points for f in worst.factors}
    assert worst_points["same_hub"] == 0 and worst_points["fair_share"] == 0 and worst_points["availability"] == 0
    assert "home hub is hub-riverside" in worst.explanation
    assert "6 shift(s) in the last 30 days" in worst.explanation


def test_skill_levels_above_the_need_add_points() -> None:
    drivers = role(skills_needed=[{"skill_id": "driving", "min_level": 2}])
    just = volunteer()
    just.set_skill("driving", 2)
    expert = volunteer()
    expert.set_skill("driving", 4)
    s_just = {f.name: f.points for f in score(just, drivers, TUESDAY_EVENING, 0).factors}
    s_expert = {f.name: f.points for f in score(expert, drivers, TUESDAY_EVENING, 0).factors}
    assert s_expert["skills"] > s_just["skills"]


async def test_staff_see_ranked_matches_and_volunteers_see_recommended_shifts(world: World) -> None:
    shift_doc = await world.shift(capacity=3)
    starts = datetime.fromisoformat(shift_doc["starts_at"])
    day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][starts.astimezone(ZoneInfo("Europe/London")).weekday()]
    window = {"day": day, "start": "00:00", "end": "23:59"}  # covers (at least part of) the shift
    available, available_auth = await world.active_volunteer(availability=[window])
    other, _ = await world.active_volunteer(availability=[])
    applicant, _ = await world.register()

    r = await world.api.client.get(f"/v1/shifts/{shift_doc['id']}/matches", headers=world.staff)
    assert r.status_code == 200, r.text
    ranked = r.json()
    assert [m["volunteer_id"] for m in ranked][:2] == [available["id"], other["id"]]
    assert applicant["id"] not in [m["volunteer_id"] for m in ranked]
    assert ranked[0]["score"] > ranked[1]["score"]
    assert {f["name"] for f in ranked[0]["factors"]} == {"availability", "skills", "same_hub", "fair_share"}
    assert "availability" in ranked[0]["explanation"]
    problem = await world.api.client.get(f"/v1/shifts/{shift_doc['id']}/matches", headers=available_auth)
    assert problem.status_code == 403

    rec = await world.api.client.get(f"/v1/volunteers/{available['id']}/recommended-shifts", headers=available_auth)
    assert rec.status_code == 200, rec.text
    assert shift_doc["id"] in [s["shift_id"] for s in rec.json()]
    # Once signed up, the shift is no longer recommended, nor is the volunteer a match for it.
    await world.api.client.post(f"/v1/shifts/{shift_doc['id']}/signups", headers=available_auth)
    rec = await world.api.client.get(f"/v1/volunteers/{available['id']}/recommended-shifts", headers=available_auth)
    assert shift_doc["id"] not in [s["shift_id"] for s in rec.json()]
    r = await world.api.client.get(f"/v1/shifts/{shift_doc['id']}/matches", headers=world.staff)
    assert available["id"] not in [m["volunteer_id"] for m in r.json()]

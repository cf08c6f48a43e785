"""Booking rules, overlap detection and the booking lifecycle (pure domain, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub_assets.domain.assets import Blackout, BookingPolicy, OpeningHours
from hub_assets.domain.bookings import (
    Booking,
    booking_rule_errors,
    check_booking_rules,
    first_overlap,
    initial_status,
    may_cancel,
    overlaps,
    transition,
    weekly_occurrences,
    within_opening_hours,
)
from hub_common.errors import Conflict, Forbidden, RuleViolation

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday; UK time = UTC in March before the clocks change
MONDAY_10 = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
WEEKDAYS = [OpeningHours(weekday=d, opens=time(9), closes=time(17)) for d in range(5)]


def rules(starts_at=MONDAY_10, minutes=60, **kwargs):
    args = {
        "policy": BookingPolicy(),
        "opening_hours": WEEKDAYS,
        "blackouts": [],
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=minutes),
        "now": NOW,
        "role": "resident",
    }
    args.update(kwargs)
    return booking_rule_errors(**args)


def messages(errors) -> str:
    return " | ".join(e["message"] for e in errors)


def test_a_slot_inside_every_rule_is_allowed() -> None:
    assert rules() == []


def test_back_to_back_slots_do_not_overlap_but_any_shared_minute_does() -> None:
    a = (MONDAY_10, MONDAY_10 + timedelta(hours=1))
    assert not overlaps(*a, MONDAY_10 + timedelta(hours=1), MONDAY_10 + timedelta(hours=2))
    assert not overlaps(*a, MONDAY_10 - timedelta(hours=1), MONDAY_10)
    assert overlaps(*a, MONDAY_10 + timedelta(minutes=59), MONDAY_10 + timedelta(hours=2))
    assert overlaps(*a, MONDAY_10 + timedelta(minutes=10), MONDAY_10 + timedelta(minutes=20))  # inside
    assert overlaps(*a, MONDAY_10 - timedelta(hours=1), MONDAY_10 + timedelta(hours=3))  # around


minutes = st.integers(min_value=0, max_value=24 * 60)
lengths = st.integers(min_value=1, max_value=6 * 60)


@given(minutes, lengths, minutes, lengths)
def test_overlap_is_symmetric_and_agrees_with_shared_minutes(a0: int, alen: int, b0: int, blen: int) -> None:
    at = lambda m: MONDAY_10 + timedelta(minutes=m)  # noqa: E731
    shared = set(range(a0, a0 + alen)) & set(range(b0, b0 + blen))
    assert overlaps(at(a0), at(a0 + alen), at(b0), at(b0 + blen)) == bool(shared)
    assert overlaps(at(a0), at(a0 + alen), at(b0), at(b0 + blen)) == overlaps(
        at(b0), at(b0 + blen), at(a0), at(a0 + alen)
    )


def test_first_overlap_finds_the_clashing_booking() -> None:
    class Slot:
        def __init__(self, h: int) -> None:
            self.starts_at, self.ends_at = MONDAY_10 + timedelta(hours=h), MONDAY_10 + timedelta(hours=h + 1)

    slots = [Slot(0), Slot(2), Slot(4)]
    assert first_overlap(MONDAY_10 + timedelta(hours=2, minutes=30), MONDAY_10 + timedelta(hours=5), slots) is slots[1]
    assert first_overlap(MONDAY_10 + timedelta(hours=1), MONDAY_10 + timedelta(hours=2), slots) is None


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"minutes": 15}, "at least 30 minutes"),
        ({"minutes": 300}, "at most 240 minutes"),
        ({"minutes": 0}, "must end after it starts"),
        ({"starts_at": NOW + timedelta(minutes=30)}, "at least 60 minutes ahead"),
        ({"starts_at": NOW - timedelta(days=1)}, "at least 60 minutes ahead"),
        ({"starts_at": MONDAY_10 + timedelta(days=182)}, "at most 180 days ahead"),
        ({"starts_at": MONDAY_10.replace(hour=16, minute=30)}, "not open for the whole"),
        ({"starts_at": MONDAY_10.replace(hour=8)}, "not open for the whole"),
        ({"starts_at": MONDAY_10 + timedelta(days=5)}, "not open for the whole"),  # Saturday
        ({"role": "resident", "policy": BookingPolicy(bookable_by=["staff", "partner"])}, "booked by: staff, partner"),
        ({"attendees": 20, "capacity": 12}, "at most 12 people"),
        (
            {
                "blackouts": [
                    Blackout(
                        starts_at=MONDAY_10 - timedelta(days=1),
                        ends_at=MONDAY_10 + timedelta(minutes=1),
                        reason="election",
                    )
                ]
            },
            "unavailable then (election)",
        ),
    ],
)
def test_each_broken_rule_is_reported(kwargs: dict, expected: str) -> None:
    errors = rules(**kwargs)
    assert expected in messages(errors)
    with pytest.raises(RuleViolation) as caught:
        check_booking_rules(
            **{
                "policy": BookingPolicy(),
                "opening_hours": WEEKDAYS,
                "blackouts": [],
                "starts_at": MONDAY_10,
                "ends_at": MONDAY_10 + timedelta(minutes=kwargs.get("minutes", 60)),
                "now": NOW,
                "role": "resident",
                **{k: v for k, v in kwargs.items() if k != "minutes"},
            }
        )
    assert caught.value.errors


def test_operator_may_book_a_room_closed_to_its_role_and_no_opening_hours_means_always_open() -> None:
    assert rules(role="operator", policy=BookingPolicy(bookable_by=["staff"])) == []
    assert rules(opening_hours=[], starts_at=MONDAY_10.replace(hour=23), minutes=60 - 1) == []


def test_opening_hours_are_read_in_uk_local_time() -> None:
    summer_monday_9_local = datetime(2026, 7, 6, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert within_opening_hours(WEEKDAYS, summer_monday_9_local, summer_monday_9_local + timedelta(hours=8))
    assert not within_opening_hours(
        WEEKDAYS, summer_monday_9_local - timedelta(minutes=1), summer_monday_9_local + timedelta(hours=1)
    )


def test_rooms_needing_approval_leave_resident_and_partner_requests_pending_but_not_staff() -> None:
    approval = BookingPolicy(requires_approval=True)
    assert initial_status(approval, "resident") == "requested"
    assert initial_status(approval, "partner") == "requested"
    assert initial_status(approval, "staff") == "confirmed"
    assert initial_status(BookingPolicy(), "resident") == "confirmed"


def booking(status: str = "requested", **kw) -> Booking:
    values = dict(
        id="b1",
        room_id="r1",
        hub_id="h",
        booker_id="p1",
        booker_role="resident",
        starts_at=MONDAY_10,
        ends_at=MONDAY_10 + timedelta(hours=1),
        status=status,
        created_at=NOW,
        updated_at=NOW,
    )
    values.update(kw)
    return Booking(**values)


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("requested", "confirmed", True),
        ("requested", "declined", True),
        ("requested", "cancelled", True),
        ("requested", "completed", False),
        ("confirmed", "cancelled", True),
        ("confirmed", "completed", True),
        ("confirmed", "declined", False),
        ("declined", "confirmed", False),
        ("cancelled", "confirmed", False),
        ("completed", "cancelled", False),
    ],
)
def test_lifecycle_transitions(start: str, target: str, allowed: bool) -> None:
    after_end = MONDAY_10 + timedelta(hours=2)
    if allowed:
        changed = transition(booking(start), target, after_end, reason="r")
        assert changed.status == target and changed.version == 2 and changed.reason == "r"
    else:
        with pytest.raises(Conflict):
            transition(booking(start), target, after_end)


def test_a_booking_completes_only_after_it_ends() -> None:
    with pytest.raises(Conflict, match="after it ends"):
        transition(booking("confirmed"), "completed", MONDAY_10 + timedelta(minutes=30))


def test_only_the_booker_or_staff_cancel() -> None:
    may_cancel(booking(), "p1", actor_is_hub_staff=False)
    may_cancel(booking(), "staff-9", actor_is_hub_staff=True)
    with pytest.raises(Forbidden):
        may_cancel(booking(), "p2", actor_is_hub_staff=False)


def test_weekly_occurrences_keep_local_wall_clock_time_across_the_clock_change() -> None:
    first = datetime(2026, 3, 23, 18, 0, tzinfo=UTC)  # 18:00 GMT; the clocks go forward on 29 March
    slots = weekly_occurrences(first, first + timedelta(hours=2), 3)
    local_hours = [s.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London")).hour for s, _ in slots]
    assert local_hours == [18, 18, 18]
    assert [s.astimezone(UTC).hour for s, _ in slots] == [18, 17, 17]
    assert all(e - s == timedelta(hours=2) for s, e in slots)


def test_lock_days_cover_every_utc_day_a_slot_touches() -> None:
    from hub_assets.adapters.locks import slot_days

    late = datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    assert slot_days(MONDAY_10, MONDAY_10 + timedelta(hours=2)) == ["2026-03-09"]
    assert slot_days(late, late + timedelta(hours=2)) == ["2026-03-09", "2026-03-10"]
    assert slot_days(late, late + timedelta(hours=1)) == ["2026-03-09"]  # ends exactly at midnight
    with pytest.raises(RuleViolation):
        slot_days(MONDAY_10, MONDAY_10 + timedelta(days=400))

"""The forum meeting's rules without storage: one place each, capacity and waitlist with promotion,
the room's answer, minutes once after the start, actions to done, erasure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hub_common.errors import Conflict, RuleViolation
from hub_participation.domain.meeting import Meeting, Place

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=7)
ROOM = Place(kind="room", name="Main Hall", room_id="room-1")
ONLINE = Place(kind="online", name="Online", online_url="https://meet.example.org/forum")


def new_meeting(capacity: int = 2, waitlist: bool = True, place: Place = ROOM) -> Meeting:
    return Meeting.new(
        "meeting-1",
        "hub-n",
        title="Northfield residents' forum",
        description="",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2),
        place=place,
        capacity=capacity,
        waitlist=waitlist,
        agenda=[],
        by="staff-1",
        at=NOW,
    )


def register(meeting: Meeting, *people: str, needs: str | None = None) -> Meeting:
    for person in people:
        result = meeting.registered(person, f"reg-{person}", needs, NOW)
        assert result is not None
        meeting = result[0]
    return meeting


def test_a_room_meeting_starts_with_its_room_requested_and_an_online_one_without() -> None:
    assert new_meeting().place.room_status == "requested"
    assert new_meeting(place=ONLINE).place.room_status is None


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "place"),
    [
        (STARTS, STARTS, ROOM),  # ends as it starts
        (NOW - timedelta(hours=1), NOW, ROOM),  # in the past
        (STARTS, STARTS + timedelta(hours=1), Place(kind="room", name="Hall")),  # a room without its id
        (STARTS, STARTS + timedelta(hours=1), Place(kind="online", name="Online")),  # online without a link
    ],
)
def test_a_meeting_that_cannot_be_is_refused(starts_at: datetime, ends_at: datetime, place: Place) -> None:
    with pytest.raises(RuleViolation):
        Meeting.new(
            "m", "hub-n", title="Forum", description="", starts_at=starts_at, ends_at=ends_at, place=place,
            capacity=5, waitlist=False, agenda=[], by="staff-1", at=NOW,
        )  # fmt: skip


def test_one_place_each_then_the_waitlist_in_order() -> None:
    meeting = register(new_meeting(capacity=2), "a", "b")
    assert meeting.registered("a", "reg-again", None, NOW) is None  # a repeat changes nothing
    meeting = register(meeting, "c", "d")
    assert [r.status for r in meeting.registrations] == ["registered", "registered", "waitlisted", "waitlisted"]
    assert meeting.places_left == 0 and meeting.waitlist_position("reg-d") == 2


def test_a_full_meeting_without_a_waitlist_refuses_with_a_conflict() -> None:
    meeting = register(new_meeting(capacity=1, waitlist=False), "a")
    with pytest.raises(Conflict, match="full"):
        meeting.registered("b", "reg-b", None, NOW)


def test_a_cancelled_place_goes_to_the_first_waiting_and_a_waiter_cancelling_frees_nothing() -> None:
    meeting = register(new_meeting(capacity=1), "a", "b", "c")
    result = meeting.cancelled_registration("a", NOW)
    assert result is not None
    meeting, cancelled, promoted = result
    assert cancelled.person_id == "a" and promoted is not None and promoted.person_id == "b"
    assert meeting.registration_of("b").status == "registered" and meeting.waitlist_position("reg-c") == 1
    result = meeting.cancelled_registration("c", NOW)
    assert result is not None and result[2] is None
    assert meeting.cancelled_registration("nobody", NOW) is None
    # Coming back after cancelling: the same registration, at the back of the queue.
    again = meeting.registered("a", "reg-new", None, NOW + timedelta(minutes=1))
    assert again is not None and again[1].id == "reg-a" and again[1].status == "waitlisted"


def test_no_registration_once_the_meeting_started_or_was_called_off() -> None:
    meeting = new_meeting()
    with pytest.raises(Conflict):
        meeting.registered("a", "reg-a", None, STARTS)
    off = meeting.called_off("The hall flooded", NOW)
    with pytest.raises(Conflict, match="called off"):
        off.registered("a", "reg-a", None, NOW)
    with pytest.raises(Conflict):
        off.called_off("again", NOW)


def test_the_room_follows_the_assets_answer_and_a_repeat_changes_nothing() -> None:
    meeting = new_meeting()
    confirmed = meeting.room_answered("confirmed", "booking-1", None, NOW)
    assert confirmed is not None and confirmed.place.room_status == "confirmed"
    assert confirmed.place.booking_id == "booking-1" and confirmed.version == meeting.version + 1
    assert confirmed.room_answered("confirmed", "booking-1", None, NOW) is None
    cancelled = confirmed.room_answered("cancelled", "booking-1", "Boiler repairs", NOW)
    assert cancelled is not None and cancelled.place.room_status == "cancelled"
    assert cancelled.place.room_note == "Boiler repairs"
    assert new_meeting(place=ONLINE).room_answered("confirmed", "b", None, NOW) is None
    assert meeting.room_answered("requested", "b", None, NOW).place.room_status == "awaiting_approval"


def test_minutes_once_after_the_start_and_actions_tracked_to_done() -> None:
    from hub_participation.domain.meeting import ForumAction

    meeting = register(new_meeting(), "a")
    actions = [
        ForumAction(id="act-1", title="Fix the bus shelter light", owner="Highways", due_on=date(2026, 6, 1)),
        ForumAction(id="act-2", title="Add two benches", owner="Parks team", due_on=date(2026, 7, 1)),
    ]
    with pytest.raises(Conflict, match="not started"):
        meeting.with_minutes("We met.", actions, by="staff-1", at=NOW)
    held = meeting.with_minutes("We met and agreed two things.", actions, by="staff-1", at=STARTS + timedelta(hours=3))
    assert held.status == "held" and len(held.actions) == 2
    with pytest.raises(Conflict, match="already"):
        held.with_minutes("Again", [], by="staff-1", at=STARTS + timedelta(hours=4))
    done, action = held.action_done("act-1", "The light was fixed", by="staff-1", at=STARTS + timedelta(days=2))
    assert action.status == "done" and done.actions[1].status == "open"
    with pytest.raises(Conflict, match="done already"):
        done.action_done("act-1", "again", by="staff-1", at=STARTS + timedelta(days=3))
    with pytest.raises(Conflict, match="no action"):
        done.action_done("act-9", "what", by="staff-1", at=STARTS)
    with pytest.raises(Conflict):
        meeting.called_off("no", NOW).with_minutes("x", [], by="staff-1", at=STARTS + timedelta(hours=3))


def test_erasure_keeps_the_place_anonymous_and_drops_the_access_needs() -> None:
    meeting = register(new_meeting(capacity=5), "a", needs="a hearing loop")
    meeting = register(meeting, "b")
    forgotten = meeting.forgetting("a")
    assert forgotten.registered_count == 2 and forgotten.registration_of("a") is None
    assert all(r.access_needs is None for r in forgotten.registrations)
    assert forgotten.registrant_ids() == ["b"] and forgotten.version == meeting.version
    assert forgotten.forgetting("a") is forgotten and meeting.forgetting("nobody") is meeting
    assert meeting.forgetting("staff-1").scheduled_by is None

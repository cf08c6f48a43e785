"""The contact book's ordering rule: newer details win, and nothing older than an erasure comes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub_notifications.domain.contacts import supersedes

T0 = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
SEC = timedelta(seconds=1)


def test_first_details_for_a_person_apply() -> None:
    assert supersedes(T0, None, None)


def test_newer_details_replace_older_ones() -> None:
    assert supersedes(T0 + SEC, T0, None)


def test_older_details_never_replace_newer_ones() -> None:
    """Events from different services arrive in any order; a late old event must not win."""
    assert not supersedes(T0 - SEC, T0, None)


def test_a_redelivered_event_with_the_same_time_changes_nothing() -> None:
    assert not supersedes(T0, T0, None)


def test_details_older_than_an_erasure_never_bring_the_person_back() -> None:
    assert not supersedes(T0 - SEC, None, T0)


def test_details_at_the_very_instant_of_the_erasure_are_dropped() -> None:
    assert not supersedes(T0, None, T0)


def test_details_newer_than_the_erasure_apply() -> None:
    """The person registered again after being forgotten."""
    assert supersedes(T0 + SEC, None, T0)


def test_an_erasure_blocks_even_when_newer_than_the_details_held() -> None:
    current, erased = T0, T0 + 10 * SEC
    assert not supersedes(T0 + 5 * SEC, current, erased)
    assert supersedes(erased + SEC, current, erased)


def test_newer_than_the_erasure_but_not_than_current_does_not_apply() -> None:
    erased, current = T0, T0 + 10 * SEC
    assert not supersedes(T0 + 5 * SEC, current, erased)
    assert not supersedes(current, current, erased)
    assert supersedes(current + SEC, current, erased)


def test_times_in_different_offsets_compare_as_instants() -> None:
    paris = timezone(timedelta(hours=2))
    same_instant_in_paris = T0.astimezone(paris)
    assert not supersedes(same_instant_in_paris, T0, None)
    assert not supersedes(same_instant_in_paris, None, T0)
    assert supersedes((T0 + SEC).astimezone(paris), T0, None)
    # 13:00+02:00 is 11:00Z: older than T0 despite the larger wall-clock hour
    assert not supersedes(datetime(2025, 5, 1, 13, 0, tzinfo=paris), T0, None)


@pytest.mark.parametrize("erased_at", [None, T0 - timedelta(days=365)])
def test_microseconds_count(erased_at: datetime | None) -> None:
    assert supersedes(T0 + timedelta(microseconds=1), T0, erased_at)
    assert not supersedes(T0 - timedelta(microseconds=1), T0, erased_at)


instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


@given(incoming=instants, current=st.none() | instants, erased=st.none() | instants)
def test_applies_exactly_when_strictly_newer_than_everything_known(
    incoming: datetime, current: datetime | None, erased: datetime | None
) -> None:
    known = [t for t in (current, erased) if t is not None]
    assert supersedes(incoming, current, erased) == all(incoming > t for t in known)


@given(times=st.lists(instants, min_size=1, max_size=8, unique=True), erased=st.none() | instants)
def test_the_final_state_does_not_depend_on_arrival_order(times: list[datetime], erased: datetime | None) -> None:
    """Applying a set of upserts in any order leaves the newest one that survives the erasure."""

    def final(order: list[datetime]) -> datetime | None:
        current = None
        for t in order:
            if supersedes(t, current, erased):
                current = t
        return current

    survivors = [t for t in times if erased is None or t > erased]
    expected = max(survivors) if survivors else None
    assert final(times) == expected
    assert final(list(reversed(times))) == expected
    assert final(sorted(times)) == expected

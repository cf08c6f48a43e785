"""Equipment loans: availability by quantity, dates, states and overdue detection (pure domain)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub_assets.domain.loans import (
    Loan,
    check_available,
    check_in,
    check_loan_dates,
    check_out,
    needs_maintenance,
    overdue,
    peak_use,
    transition,
)
from hub_common.errors import Conflict, RuleViolation

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def loan(start_day: int, end_day: int, quantity: int = 1, status: str = "reserved", **kw) -> Loan:
    return Loan(
        id=f"l{start_day}-{end_day}-{quantity}",
        asset_id="kit",
        hub_id="h",
        borrower_kind="organisation",
        borrower_id="org-1",
        quantity=quantity,
        starts_at=NOW + start_day * DAY,
        due_at=NOW + end_day * DAY,
        status=status,
        created_at=NOW,
        updated_at=NOW,
        **kw,
    )


def test_peak_use_counts_only_overlapping_active_loans_at_the_busiest_instant() -> None:
    others = [
        loan(1, 3, 2),
        loan(2, 4, 3),
        loan(5, 6, 4),
        loan(1, 9, 5, status="returned"),
        loan(1, 9, 5, status="cancelled"),
    ]
    assert peak_use(others, NOW + 1 * DAY, NOW + 5 * DAY, NOW) == 5  # days 2-3: 2 + 3
    assert peak_use(others, NOW + 3 * DAY, NOW + 5 * DAY, NOW) == 3  # the first ends as the window starts
    assert peak_use(others, NOW + 4 * DAY, NOW + 5 * DAY, NOW) == 0  # back to back with both sides


def test_a_reservation_never_overcommits_the_quantity() -> None:
    others = [loan(1, 3, 6), loan(2, 4, 3)]
    check_available(10, others, NOW + 1 * DAY, NOW + 2 * DAY, 4, NOW)  # 6 used then: 4 more fit
    with pytest.raises(Conflict) as caught:
        check_available(10, others, NOW + 1 * DAY, NOW + 4 * DAY, 2, NOW)  # 9 used on day 2-3
    assert caught.value.extra["available"] == 1


def test_single_item_cannot_be_reserved_twice_for_overlapping_dates() -> None:
    with pytest.raises(Conflict):
        check_available(1, [loan(1, 3)], NOW + 2 * DAY, NOW + 5 * DAY, 1, NOW)
    check_available(1, [loan(1, 3)], NOW + 3 * DAY, NOW + 5 * DAY, 1, NOW)


def test_an_overdue_loan_keeps_holding_its_items_past_its_due_time() -> None:
    late = loan(-5, -1, status="checked_out")
    assert peak_use([late], NOW, NOW + DAY, NOW) == 1
    assert peak_use([loan(-5, -1, status="returned")], NOW, NOW + DAY, NOW) == 0


@pytest.mark.parametrize(
    ("start", "due", "field"),
    [(1, 1, "due_at"), (2, 1, "due_at"), (1, 40, "due_at"), (-1, 2, "starts_at")],
)
def test_loan_dates_rules(start: int, due: int, field: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        check_loan_dates(NOW + start * DAY, NOW + due * DAY, NOW, max_loan_days=28)
    assert field in [e["field"] for e in caught.value.errors]


def test_loan_lifecycle() -> None:
    reserved = loan(0, 3)
    out = check_out(reserved, NOW, "good")
    assert out.status == "checked_out" and out.condition_out == "good" and out.checked_out_at == NOW
    back = check_in(out, NOW + DAY, "poor")
    assert back.status == "returned" and back.condition_in == "poor" and back.version == 3
    with pytest.raises(Conflict):
        check_in(back, NOW, "good")
    with pytest.raises(Conflict):
        transition(out, "cancelled", NOW)
    assert transition(reserved, "cancelled", NOW).status == "cancelled"


def test_cannot_check_out_a_reservation_days_before_it_starts() -> None:
    with pytest.raises(Conflict, match="nearer the time"):
        check_out(loan(3, 5), NOW, "good")


def test_overdue_only_once_and_only_while_checked_out_past_due() -> None:
    late = loan(-3, -1, status="checked_out")
    assert overdue(late, NOW)
    assert not overdue(late.model_copy(update={"overdue_since": NOW}), NOW)
    assert not overdue(loan(-3, -1, status="reserved"), NOW)
    assert not overdue(loan(-3, 1, status="checked_out"), NOW)
    assert not overdue(loan(-3, -1, status="returned"), NOW)


def test_poor_or_broken_returns_need_maintenance() -> None:
    assert needs_maintenance("broken") and needs_maintenance("poor")
    assert not needs_maintenance("fair")


spans = st.lists(st.tuples(st.integers(0, 20), st.integers(1, 6), st.integers(1, 3)), min_size=0, max_size=8)


@given(spans, st.integers(0, 20), st.integers(1, 6))
def test_peak_use_matches_counting_every_hour(others: list, start: int, length: int) -> None:
    hour = timedelta(hours=1)
    loans = [
        Loan(
            id=str(i),
            asset_id="kit",
            hub_id="h",
            borrower_kind="resident",
            borrower_id="p",
            quantity=q,
            starts_at=NOW + s * hour,
            due_at=NOW + (s + n) * hour,
            created_at=NOW,
            updated_at=NOW,
        )
        for i, (s, n, q) in enumerate(others)
    ]
    brute = max((sum(q for s, n, q in others if s <= h < s + n) for h in range(start, start + length)), default=0)
    assert peak_use(loans, NOW + start * hour, NOW + (start + length) * hour, NOW) == brute

"""Assets of Community Value: the statutory date arithmetic and the nomination lifecycle."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub_assets.domain import acv
from hub_common.errors import Conflict, RuleViolation


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 11, 15), 18, date(2028, 5, 15)),
        (date(2024, 2, 29), 60, date(2029, 2, 28)),  # five years from a 29 February
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_end_of_shorter_months(start: date, months: int, expected: date) -> None:
    assert acv.add_months(start, months) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(min_value=0, max_value=120))
def test_add_months_lands_in_the_right_month_and_never_later_than_the_same_day(start: date, months: int) -> None:
    result = acv.add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    assert result.day == start.day or result.day > 27  # only clamped at a month's end


def test_statutory_dates_of_a_listing() -> None:
    assert acv.decision_due(date(2026, 3, 2)) == date(2026, 4, 27)  # 8 weeks
    assert acv.listing_expires(date(2026, 4, 20)) == date(2031, 4, 20)  # 5 years
    assert acv.review_deadline(date(2026, 4, 20)) == date(2026, 6, 15)  # 8 weeks


def test_moratorium_dates_interim_full_and_protected() -> None:
    interim = acv.start_moratorium(date(2026, 6, 1))
    assert interim.interim_ends_on == date(2026, 7, 13)  # 6 weeks
    assert interim.protected_until == date(2027, 12, 1)  # 18 months
    assert interim.full_ends_on is None and interim.ends_on == date(2026, 7, 13)

    full = acv.extend_to_full(interim, date(2026, 7, 12))  # the last day of the interim period
    assert full.full_ends_on == date(2026, 12, 1)  # 6 months from the notice, not from the request
    assert full.ends_on == date(2026, 12, 1)
    assert [full.phase_on(d) for d in (date(2026, 6, 1), date(2026, 7, 13), date(2026, 12, 1), date(2027, 12, 1))] == [
        "interim",
        "full",
        "protected",
        "over",
    ]


def test_a_request_after_the_interim_period_does_not_start_the_full_moratorium() -> None:
    interim = acv.start_moratorium(date(2026, 6, 1))
    with pytest.raises(Conflict, match="interim moratorium ended on 2026-07-13"):
        acv.extend_to_full(interim, date(2026, 7, 13))
    with pytest.raises(RuleViolation):
        acv.extend_to_full(interim, date(2026, 5, 31))
    with pytest.raises(Conflict, match="already"):
        acv.extend_to_full(acv.extend_to_full(interim, date(2026, 6, 2)), date(2026, 6, 3))


def nomination(**changes) -> acv.Nomination:
    made = acv.nominate("n1", asset_id="a1", hub_id="h", nominated_by="org-1", reason="pub", on=date(2026, 3, 2))
    return made.model_copy(update=changes)


def test_lifecycle_nominated_listed_moratoria_and_the_protected_period() -> None:
    listed = acv.decide(nomination(), listed=True, on=date(2026, 4, 20), reason="furthers social wellbeing")
    assert (listed.status, listed.expires_on, listed.review_deadline_on) == (
        "listed",
        date(2031, 4, 20),
        date(2026, 6, 15),
    )
    with pytest.raises(Conflict):
        acv.decide(listed, listed=False, on=date(2026, 5, 1), reason=None)

    noticed = acv.notice_of_disposal(listed, date(2026, 6, 1))
    extended = acv.community_request(noticed, date(2026, 6, 20))
    assert extended.current_moratorium.full_ends_on == date(2026, 12, 1)
    with pytest.raises(Conflict, match="protected period runs until 2027-12-01"):
        acv.notice_of_disposal(extended, date(2027, 11, 30))
    again = acv.notice_of_disposal(extended, date(2027, 12, 1))
    assert len(again.moratoria) == 2 and again.current_moratorium.interim_ends_on == date(2028, 1, 12)


def test_not_listed_has_no_moratoria_and_notices_must_fall_within_the_listing() -> None:
    refused = acv.decide(nomination(), listed=False, on=date(2026, 4, 1), reason="no community use")
    assert refused.status == "not_listed" and refused.expires_on is None
    with pytest.raises(Conflict):
        acv.notice_of_disposal(refused, date(2026, 5, 1))
    with pytest.raises(Conflict, match="no moratorium"):
        acv.community_request(acv.decide(nomination(), listed=True, on=date(2026, 4, 1), reason=None), date(2026, 5, 1))
    listed = acv.decide(nomination(), listed=True, on=date(2026, 4, 1), reason=None)
    with pytest.raises(RuleViolation):
        acv.notice_of_disposal(listed, date(2031, 4, 1))  # the listing has expired
    with pytest.raises(RuleViolation):
        acv.decide(nomination(), listed=True, on=date(2026, 3, 1), reason=None)


def test_the_daily_sweep_announces_moratorium_ends_and_expiry_once() -> None:
    listed = acv.decide(nomination(), listed=True, on=date(2026, 4, 20), reason=None)
    noticed = acv.notice_of_disposal(listed, date(2026, 6, 1))

    assert acv.due_changes(noticed, date(2026, 7, 12)) == []
    assert acv.due_changes(noticed, date(2026, 7, 13)) == ["moratorium_ended"]
    announced = noticed.model_copy(update={"announced_moratorium_end": date(2026, 7, 13)})
    assert acv.due_changes(announced, date(2026, 8, 1)) == []
    assert acv.due_changes(announced, date(2031, 4, 20)) == ["expired"]
    assert acv.due_changes(listed, date(2031, 4, 19) + timedelta(days=1)) == ["expired"]

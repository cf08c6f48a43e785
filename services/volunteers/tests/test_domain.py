"""Unit tests of the pure domain: eligibility, capacity and waitlist, milestones, lifecycle, roles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from volunteers_testkit import NOW, TODAY, check, role, shift, volunteer

from hub_common.errors import Conflict, RuleViolation
from hub_volunteers.domain.hours import milestones_reached
from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.shifts import Signup, require_eligible, unmet_requirements
from hub_volunteers.domain.volunteers import Accreditation, age_on, check_registration_age

MILESTONES = (10, 50, 100, 250, 500)


# --- eligibility ------------------------------------------------------------------------------


def codes(v, r, s) -> list[str]:
    return [u.code for u in unmet_requirements(v, r, s)]


def test_an_active_adult_meets_a_role_without_requirements() -> None:
    assert codes(volunteer(), role(), shift()) == []


def test_applicants_and_archived_volunteers_cannot_serve() -> None:
    assert codes(volunteer(status="applicant"), role(), shift()) == ["status"]
    assert codes(volunteer(status="archived"), role(), shift()) == ["status"]
    assert codes(volunteer(status="approved"), role(), shift()) == []


def test_under_18s_are_kept_out_of_roles_that_exclude_them() -> None:
    sixteen = volunteer(date_of_birth=TODAY.replace(year=TODAY.year - 16))
    assert codes(sixteen, role(open_to_under_18=False), shift()) == ["age"]
    assert codes(sixteen, role(open_to_under_18=True), shift()) == []
    assert codes(sixteen, role(open_to_under_18=True, min_age=17), shift()) == ["age"]


def test_age_is_judged_on_the_day_of_the_shift() -> None:
    # Turns 18 the day after tomorrow: too young for a shift tomorrow, old enough for one in 2 days.
    birthday = (NOW + timedelta(days=2)).date()
    nearly = volunteer(date_of_birth=birthday.replace(year=birthday.year - 18))
    adults_only = role(open_to_under_18=False)
    assert codes(
        nearly, adults_only, shift(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=1, hours=2))
    ) == ["age"]
    assert (
        codes(nearly, adults_only, shift(starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=2, hours=2)))
        == []
    )


def test_skills_are_checked_with_their_level_and_accreditations_count() -> None:
    first_aid = role(skills_needed=[{"skill_id": "first-aid", "min_level": 2}])
    assert codes(volunteer(), first_aid, shift()) == ["skill"]
    novice = volunteer()
    novice.set_skill("first-aid", 1)
    assert codes(novice, first_aid, shift()) == ["skill"]
    novice.set_skill("first-aid", 2)
    assert codes(novice, first_aid, shift()) == []
    accredited = volunteer(
        accreditations=[
            Accreditation(
                id="a",
                name="First Aid at Work",
                skill_id="first-aid",
                issuer="St John",
                issued_on=date(2026, 1, 1),
                expires_on=date(2029, 1, 1),
            )
        ]
    )
    assert codes(accredited, first_aid, shift()) == []
    expired = volunteer(
        accreditations=[
            Accreditation(
                id="a",
                name="First Aid",
                skill_id="first-aid",
                issuer="St John",
                issued_on=date(2020, 1, 1),
                expires_on=date(2023, 1, 1),
            )
        ]
    )
    assert codes(expired, first_aid, shift()) == ["skill"]


def test_background_checks_need_the_level_and_to_be_valid_on_the_day() -> None:
    enhanced_role = role(checks_needed="enhanced")
    assert codes(volunteer(), enhanced_role, shift()) == ["check"]
    assert codes(volunteer(checks=[check("standard")]), enhanced_role, shift()) == ["check"]
    assert codes(volunteer(checks=[check("enhanced")]), enhanced_role, shift()) == []
    lapses_tomorrow = check("enhanced", due=TODAY + timedelta(days=1))
    assert codes(volunteer(checks=[lapses_tomorrow]), enhanced_role, shift()) == ["check"]
    assert codes(volunteer(checks=[check("enhanced")]), role(checks_needed="basic"), shift()) == []


def test_every_unmet_requirement_is_listed_in_the_conflict() -> None:
    demanding = role(open_to_under_18=False, checks_needed="standard", skills_needed=[{"skill_id": "driving"}])
    child = volunteer(status="applicant", date_of_birth=TODAY.replace(year=TODAY.year - 15))
    with pytest.raises(Conflict) as caught:
        require_eligible(child, demanding, shift())
    assert [u["code"] for u in caught.value.extra["unmet"]] == ["status", "age", "skill", "check"]


# --- capacity and waitlist --------------------------------------------------------------------


def test_places_are_confirmed_until_capacity_then_waitlisted() -> None:
    s = shift(capacity=2)
    placed = []
    for _ in range(4):
        place = s.place_for_next_signup()
        placed.append(place)
        if place == "confirmed":
            s.confirmed += 1
        else:
            s.waitlisted += 1
    assert placed == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert (s.confirmed, s.waitlisted) == (2, 2)


def test_a_freed_place_promotes_one_waitlisted_volunteer() -> None:
    full = shift(capacity=2, confirmed=2, waitlisted=3)
    assert full.promotions_after(freed=1) == 1
    assert full.promotions_after(freed=0) == 0
    assert shift(capacity=2, confirmed=2, waitlisted=0).promotions_after(freed=1) == 0


def test_raising_capacity_promotes_as_many_as_fit() -> None:
    assert shift(capacity=5, confirmed=2, waitlisted=7).promotions_after() == 3
    assert shift(capacity=5, confirmed=2, waitlisted=1).promotions_after() == 1


def test_signups_close_when_the_shift_starts_or_is_cancelled() -> None:
    with pytest.raises(Conflict):
        shift().check_open_for_signup(NOW + timedelta(days=3))
    with pytest.raises(Conflict):
        shift(status="cancelled").check_open_for_signup(NOW)
    shift().check_open_for_signup(NOW)


def test_check_out_returns_attended_minutes_once() -> None:
    s = Signup(
        id="x:y",
        shift_id="x",
        volunteer_id="y",
        hub_id="h",
        role_id="r",
        starts_at=NOW,
        status="confirmed",
        queued_at=NOW,
        signed_up_by="y",
        updated_at=NOW,
    )
    with pytest.raises(Conflict):
        s.check_out(NOW)
    on_now = shift(starts_at=NOW, ends_at=NOW + timedelta(hours=3))
    with pytest.raises(Conflict):
        s.check_in(NOW - timedelta(hours=2), on_now)  # too early
    s.check_in(NOW, on_now)
    assert s.check_out(NOW + timedelta(hours=2, minutes=30)) == 150
    with pytest.raises(Conflict):
        s.check_out(NOW + timedelta(hours=3))


def test_waitlisted_volunteers_cannot_check_in() -> None:
    s = Signup(
        id="x:y",
        shift_id="x",
        volunteer_id="y",
        hub_id="h",
        role_id="r",
        starts_at=NOW,
        status="waitlisted",
        queued_at=NOW,
        signed_up_by="y",
        updated_at=NOW,
    )
    with pytest.raises(Conflict):
        s.check_in(NOW, shift(starts_at=NOW, ends_at=NOW + timedelta(hours=3)))


# --- milestones exactly once ------------------------------------------------------------------


def test_milestones_are_reached_when_the_total_crosses_them() -> None:
    assert milestones_reached(9 * 60 + 59, MILESTONES, []) == []
    assert milestones_reached(10 * 60, MILESTONES, []) == [10]
    assert milestones_reached(120 * 60, MILESTONES, [10]) == [50, 100]


def test_a_milestone_already_awarded_is_never_awarded_again() -> None:
    assert milestones_reached(60 * 60, MILESTONES, [10, 50]) == []


@given(st.lists(st.integers(min_value=1, max_value=24 * 60), min_size=1, max_size=60))
def test_any_sequence_of_approvals_awards_each_reached_milestone_exactly_once(entries: list[int]) -> None:
    total, awarded, log = 0, [], []
    for minutes in entries:
        total += minutes
        new = milestones_reached(total, MILESTONES, awarded)
        log += new
        awarded += new
    assert len(log) == len(set(log))
    assert set(log) == {m for m in MILESTONES if m * 60 <= total}


# --- registration, lifecycle, roles -------------------------------------------------------------


def test_age_counts_whole_years() -> None:
    assert age_on(date(2008, 11, 27), date(2026, 11, 26)) == 17
    assert age_on(date(2008, 11, 26), date(2026, 11, 26)) == 18


def test_under_18s_need_a_guardian_and_under_14s_cannot_register() -> None:
    with pytest.raises(RuleViolation) as caught:
        check_registration_age(date(2010, 1, 1), TODAY, has_guardian=False)
    assert caught.value.errors[0]["field"] == "body.guardian"
    check_registration_age(date(2010, 1, 1), TODAY, has_guardian=True)
    with pytest.raises(RuleViolation):
        check_registration_age(date(2015, 1, 1), TODAY, has_guardian=True)
    check_registration_age(date(1990, 1, 1), TODAY, has_guardian=False)


def test_approval_needs_the_required_check() -> None:
    applicant = volunteer(status="applicant")
    with pytest.raises(Conflict):
        applicant.transition("approved", at=NOW, required_check="basic")
    applicant.checks.append(check("basic"))
    assert applicant.transition("approved", at=NOW, required_check="basic") == "applicant"
    assert applicant.status == "approved"


def test_lifecycle_moves_only_along_allowed_paths() -> None:
    v = volunteer(status="applicant")
    with pytest.raises(Conflict):
        v.transition("active", at=NOW, required_check=None)
    v.transition("approved", at=NOW, required_check=None)
    v.transition("active", at=NOW, required_check=None)
    v.transition("inactive", at=NOW, required_check=None)
    v.transition("active", at=NOW, required_check=None)
    v.transition("archived", at=NOW, required_check=None)
    with pytest.raises(Conflict):
        v.transition("active", at=NOW, required_check=None)


def test_channels_follow_the_latest_consent_and_need_the_contact_detail() -> None:
    v = volunteer(phone=None)
    v.record_consent("channel:email", True, NOW, "2026-01")
    v.record_consent("channel:sms", True, NOW, "2026-01")
    assert v.consented_channels() == ["email"]  # no phone, so no sms
    assert v.record_consent("channel:email", False, NOW, "2026-02") is True
    assert v.record_consent("channel:email", False, NOW, "2026-02") is False  # unchanged: not recorded twice
    assert v.consented_channels() == []


def test_erasure_drops_personal_details_but_keeps_hours() -> None:
    v = volunteer(approved_minutes=600, milestones=[10], phone="+44 7700 900123")
    v.erase(NOW)
    assert (v.name, v.email, v.phone, v.date_of_birth, v.sub) == ("Erased volunteer", None, None, None, None)
    assert v.approved_minutes == 600 and v.milestones == [10]
    assert v.status == "archived"


def test_a_role_without_a_full_description_cannot_be_published() -> None:
    draft = Role(id="r", hub_id="h", title="Litter picker", created_at=NOW, updated_at=NOW, purpose="Keep parks clean")
    with pytest.raises(RuleViolation) as caught:
        draft.publish()
    fields = {e["field"] for e in caught.value.errors}
    assert fields == {
        "body.tasks",
        "body.time_commitment",
        "body.skills_needed",
        "body.checks_needed",
        "body.training_given",
        "body.support_contact",
        "body.accessibility",
    }
    assert draft.status == "draft"
    complete = role(status="draft")
    complete.publish()
    assert complete.status == "published"

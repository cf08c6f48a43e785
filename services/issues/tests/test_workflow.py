"""Workflow rules: allowed transitions, who may make them, what each needs, the reopen period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub_common.errors import Conflict, Forbidden, RuleViolation
from hub_issues.domain.issue import fields_after
from hub_issues.domain.workflow import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Actor,
    WorkflowState,
    allowed_actions,
    decide,
    open311_status,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
STAFF = Actor("staff-1", "staff")
REPORTER = Actor("res-1", "resident")
ALL_STATUSES = sorted(OPEN_STATUSES | CLOSED_STATUSES)


def state(status: str, closed_at: datetime | None = None) -> WorkflowState:
    return WorkflowState("iss-1", status, "res-1", closed_at)


def run(status: str, action: str, actor: Actor = STAFF, **kwargs):
    kwargs.setdefault("public_note", "note")
    return decide(state(status, kwargs.pop("closed_at", None)), action, actor=actor, at=NOW, **kwargs)


def test_happy_path_reported_to_closed() -> None:
    status = "reported"
    for action, expected in [
        ("acknowledge", "acknowledged"),
        ("start", "in_progress"),
        ("fix", "fixed"),
        ("close", "closed"),
    ]:
        change = run(status, action)
        assert (change.from_status, change.to_status) == (status, expected)
        assert change.by == "staff-1" and change.by_role == "staff" and change.at == NOW
        status = change.to_status
    assert status == "closed"


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("action", [a for a in TRANSITIONS if a != "mark_duplicate"])
def test_every_action_is_allowed_exactly_from_its_source_statuses(status: str, action: str) -> None:
    extra = {"agency_responsible": "Water Co", "reason": "private land"}
    sources, target = TRANSITIONS[action]
    if status in sources:
        assert run(status, action, **extra).to_status == target
    else:
        with pytest.raises(Conflict) as raised:
            run(status, action, **extra)
        assert raised.value.extra["current_status"] == status
        assert action not in raised.value.extra["allowed_actions"]


def test_terminal_statuses_offer_only_reopen_or_close() -> None:
    assert allowed_actions("closed") == ["reopen"]
    assert allowed_actions("duplicate") == []
    assert allowed_actions("fixed") == ["close", "reopen"]
    assert "acknowledge" not in allowed_actions("in_progress")


def test_refer_needs_an_agency_and_close_not_fixed_needs_a_reason() -> None:
    with pytest.raises(RuleViolation) as raised:
        run("acknowledged", "refer")
    assert raised.value.errors[0]["field"] == "agency_responsible"
    with pytest.raises(RuleViolation) as raised:
        run("in_progress", "close_not_fixed", reason="  ")
    assert raised.value.errors[0]["field"] == "reason"

    referred = run("acknowledged", "refer", agency_responsible=" Riverside Housing ")
    assert referred.agency_responsible == "Riverside Housing"
    closed = run("in_progress", "close_not_fixed", reason="on private land")
    assert closed.reason == "on private land"
    assert closed.to_status == "closed_not_fixed"


def test_every_change_needs_a_public_note_and_keeps_the_private_one() -> None:
    with pytest.raises(RuleViolation) as raised:
        run("reported", "acknowledge", public_note=" ")
    assert raised.value.errors[0]["field"] == "public_note"
    change = run("reported", "acknowledge", public_note="Thanks, we're on it", private_note="crew B")
    assert change.public_note == "Thanks, we're on it"
    assert change.private_note == "crew B"


def test_duplicate_needs_another_issue() -> None:
    with pytest.raises(RuleViolation):
        run("reported", "mark_duplicate")
    with pytest.raises(RuleViolation):
        run("reported", "mark_duplicate", duplicate_of="iss-1")
    assert run("reported", "mark_duplicate", duplicate_of="iss-2").duplicate_of == "iss-2"


@pytest.mark.parametrize("action", ["acknowledge", "start", "fix", "close"])
def test_residents_and_partners_cannot_move_issues(action: str) -> None:
    with pytest.raises(Forbidden):
        run("reported", action, actor=REPORTER)
    with pytest.raises(Forbidden):
        run("reported", action, actor=Actor("p-1", "partner"))


def test_reporter_may_reopen_within_the_period_only() -> None:
    period = timedelta(days=28)
    recent = NOW - timedelta(days=27)
    assert run("fixed", "reopen", actor=REPORTER, closed_at=recent, reopen_period=period).to_status == "reported"
    with pytest.raises(Conflict, match="reopen period"):
        run("closed", "reopen", actor=REPORTER, closed_at=NOW - timedelta(days=29), reopen_period=period)
    # Staff may reopen at any time; another resident never.
    assert run("closed", "reopen", closed_at=NOW - timedelta(days=400)).to_status == "reported"
    with pytest.raises(Forbidden):
        run("fixed", "reopen", actor=Actor("res-2", "resident"), closed_at=recent)


def test_fields_after_fix_and_reopen() -> None:
    to_set, to_clear = fields_after(run("in_progress", "fix", public_note="Cleared the bags"))
    assert to_set["status"] == "fixed" and to_set["open"] is False
    assert to_set["fixed_at"] == NOW and to_set["fix_note"] == "Cleared the bags"
    assert to_set["closed_at"] == NOW and not to_clear

    to_set, to_clear = fields_after(run("fixed", "reopen"))
    assert to_set["open"] is True and to_set["status"] == "reported"
    assert {"fixed_at", "fix_note", "closed_at"} <= set(to_clear)


def test_open311_status_mapping() -> None:
    assert {s: open311_status(s) for s in ALL_STATUSES} == {
        "acknowledged": "open",
        "closed": "closed",
        "closed_not_fixed": "closed",
        "duplicate": "closed",
        "fixed": "closed",
        "in_progress": "open",
        "referred": "open",
        "reported": "open",
    }


def test_the_agency_an_issue_is_referred_to_may_start_fix_or_close_it_as_not_fixed() -> None:
    agency = Actor("north-highways", "partner")
    referred = WorkflowState("iss-1", "referred", "res-1", None, agency_responsible="north-highways")
    assert decide(referred, "start", actor=agency, at=NOW, public_note="on site").to_status == "in_progress"
    assert decide(referred, "fix", actor=agency, at=NOW, public_note="done").to_status == "fixed"
    assert (
        decide(referred, "close_not_fixed", actor=agency, at=NOW, public_note="x", reason="private land").by_role
        == "partner"
    )
    for action in ("acknowledge", "refer", "close", "reopen", "mark_duplicate"):
        with pytest.raises(Forbidden):
            decide(referred, action, actor=agency, at=NOW, public_note="x", agency_responsible="y", duplicate_of="z")
    with pytest.raises(Forbidden, match="referred to it"):
        decide(referred, "fix", actor=Actor("another-agency", "partner"), at=NOW, public_note="x")
    closed = WorkflowState("iss-1", "fixed", "res-1", NOW, agency_responsible="north-highways")
    with pytest.raises(Forbidden):
        decide(closed, "reopen", actor=agency, at=NOW, public_note="x")

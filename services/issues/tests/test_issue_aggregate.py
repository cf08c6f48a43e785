"""The Issue aggregate: what each change does to its fields and version (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub_common.errors import Conflict, Forbidden
from hub_issues.domain.issue import Issue
from hub_issues.domain.workflow import Actor, decide

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)
STAFF = Actor("staff-1", "staff")


def issue(**fields) -> Issue:
    base = {
        "id": "iss-1",
        "hub_id": "hub-1",
        "service_code": "litter",
        "service_name": "Litter",
        "description": "Bags",
        "lat": 53.8,
        "lon": -1.55,
        "reporter_id": "res-1",
        "followers": ["res-1"],
        "requested_at": T0,
        "updated_at": T0,
        "expected_at": T0 + timedelta(hours=72),
    }
    return Issue(**{**base, **fields})


def change(item: Issue, action: str, at: datetime, actor: Actor = STAFF):
    return decide(item.workflow_state, action, actor=actor, at=at, public_note=f"{action} note")


def test_fix_records_metrics_and_reopen_clears_them() -> None:
    reported = issue()
    fixed = reported.after(change(reported, "fix", T0 + timedelta(hours=30)))
    assert (fixed.status, fixed.open, fixed.version) == ("fixed", False, 2)
    assert fixed.time_to_fix_h == 30.0 and fixed.fixed_on_time and fixed.feedback_state == "pending"
    assert fixed.fix_note == "fix note" and fixed.closed_at == fixed.fixed_at == T0 + timedelta(hours=30)
    reopened = fixed.after(change(fixed, "reopen", T0 + timedelta(days=2), Actor("res-1", "resident")))
    assert (reopened.status, reopened.open, reopened.version) == ("reported", True, 3)
    assert reopened.fixed_at is reopened.fix_note is reopened.closed_at is reopened.time_to_fix_h is None
    assert reopened.feedback_state == "none"
    assert [h.action for h in reopened.history] == ["fix", "reopen"]


def test_notes_in_the_history_record_only_who_when_and_what() -> None:
    assigned = issue().assigned("crew B", by="staff-1", by_role="staff", at=T0)
    assert set(assigned.history[0].recorded()) == {
        "action",
        "from_status",
        "to_status",
        "at",
        "by",
        "by_role",
        "public_note",
    }
    fixed = assigned.after(change(assigned, "fix", T0))
    assert "private_note" in fixed.history[1].recorded() and fixed.version == 3
    with pytest.raises(Conflict):
        fixed.assigned("crew C", by="staff-1", by_role="staff", at=T0)


def test_support_merge_and_forgetting_keep_counts_and_versions() -> None:
    original = issue()
    assert original.supports("res-1")  # reporters support their own issue
    supported = original.supported_by("res-2")
    assert (supported.support_count, supported.followers, supported.version) == (1, ["res-1", "res-2"], 2)
    duplicate = issue(id="iss-2", reporter_id="res-3", followers=["res-3"], supporters=["res-4"], support_count=1)
    merged, moved = supported.absorbing(duplicate)
    assert moved == 2 and merged.supporters == ["res-2", "res-4", "res-3"] and merged.support_count == 3
    forgotten = merged.forgetting("res-2")
    assert forgotten.supporters == ["res-4", "res-3"] and forgotten.support_count == 2
    assert "res-2" not in forgotten.followers and forgotten.version == merged.version + 1
    unlinked = forgotten.forgetting("res-1")
    assert unlinked.reporter_id is None and unlinked.version == forgotten.version + 1


def test_sweep_flags_and_feedback_answers() -> None:
    late = issue()
    flagged = late.flagged_overdue(T0 + timedelta(days=4))
    assert flagged is not None and flagged.overdue and flagged.version == late.version  # bookkeeping only
    assert flagged.flagged_overdue(T0 + timedelta(days=5)) is None
    fixed = late.after(change(late, "fix", T0))
    asked = fixed.feedback_asked(T0 + timedelta(days=28), timedelta(days=14))
    assert asked is not None and asked.feedback_respond_by == T0 + timedelta(days=42)
    assert asked.feedback_asked(T0 + timedelta(days=29), timedelta(days=14)) is None
    with pytest.raises(Forbidden):
        asked.with_feedback("res-2", fixed=True, satisfaction=5, comment=None, at=T0 + timedelta(days=30))
    with pytest.raises(Conflict, match="expired"):
        asked.with_feedback("res-1", fixed=True, satisfaction=5, comment=None, at=T0 + timedelta(days=43))
    answered = asked.with_feedback("res-1", fixed=True, satisfaction=5, comment="ok", at=T0 + timedelta(days=30))
    assert answered.feedback_state == "received" and answered.feedback.satisfaction == 5

"""The open priorities read model's rules: repeats, events out of order, close, reopen and merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub_common.contracts.issues import (
    IssueClosed,
    IssueDuplicateMerged,
    IssueReopened,
    IssueReported,
    IssueStatusEvent,
    IssueSupported,
)
from hub_participation.domain.priority import OpenIssue, first_seen

T0 = datetime(2026, 5, 1, 9, tzinfo=UTC)
WHERE = {"lat": 53.81, "lon": -1.55}


def reported(at: datetime = T0) -> IssueReported:
    return IssueReported(
        issue_id="iss-1",
        hub_id="hub-northfield",
        service_code="potholes",
        service_name="Potholes",
        description="A deep pothole outside number 12",
        location=WHERE,
        reporter_id="res-1",
        requested_at=at,
    )


def supported(count: int, at: datetime) -> IssueSupported:
    return IssueSupported(
        issue_id="iss-1",
        hub_id="hub-northfield",
        service_code="potholes",
        location=WHERE,
        supporter_id=f"res-{count + 1}",
        support_count=count,
        supported_at=at,
    )


def status(contract: type[IssueStatusEvent], before: str, after: str, at: datetime, **extra) -> IssueStatusEvent:
    return contract(
        issue_id="iss-1",
        hub_id="hub-northfield",
        service_code="potholes",
        service_name="Potholes",
        location=WHERE,
        previous_status=before,
        status=after,
        open311_status="open" if after == "reported" else "closed",
        public_note="",
        changed_by_role="staff",
        changed_at=at,
        **extra,
    )


def blank() -> OpenIssue:
    return first_seen("iss-1", "hub-northfield", "potholes")


def test_a_report_opens_the_issue_with_public_fields_only_and_a_repeat_changes_nothing() -> None:
    issue = blank().reported(reported())
    assert issue is not None and issue.open and issue.requested_at == T0 and issue.service_name == "Potholes"
    assert not {"description", "reporter_id", "location"} & set(issue.model_dump())
    assert issue.reported(reported()) is None


def test_the_newest_support_count_wins_and_an_older_one_arriving_late_changes_nothing() -> None:
    issue = blank().reported(reported())
    assert issue is not None
    issue = issue.supported(supported(3, T0 + timedelta(hours=3)))
    assert issue is not None and issue.support_count == 3
    assert issue.supported(supported(2, T0 + timedelta(hours=2))) is None
    assert issue.supported(supported(3, T0 + timedelta(hours=3))) is None


def test_a_support_before_its_report_is_kept_and_the_issue_is_listed_once_the_report_arrives() -> None:
    early = blank().supported(supported(2, T0 + timedelta(hours=1)))
    assert early is not None and early.support_count == 2 and not early.open
    issue = early.reported(reported())
    assert issue is not None and issue.open and issue.support_count == 2


def test_a_closed_issue_is_not_reopened_by_a_late_support_or_a_late_report_but_is_by_a_reopen() -> None:
    issue = blank().reported(reported())
    assert issue is not None
    closed = issue.status_changed(status(IssueClosed, "reported", "closed_not_fixed", T0 + timedelta(days=2)))
    assert closed is not None and not closed.open
    late = closed.supported(supported(4, T0 + timedelta(days=1)))
    assert late is not None and not late.open and late.support_count == 4
    assert late.status_changed(status(IssueClosed, "reported", "closed_not_fixed", T0 + timedelta(days=2))) is None
    reopened = late.status_changed(status(IssueReopened, "closed_not_fixed", "reported", T0 + timedelta(days=3)))
    assert reopened is not None and reopened.open


def test_a_close_arriving_before_the_report_keeps_it_closed() -> None:
    closed = blank().status_changed(status(IssueClosed, "reported", "closed", T0 + timedelta(days=1)))
    assert closed is not None
    issue = closed.reported(reported())
    assert issue is not None and issue.requested_at == T0 and issue.status == "closed" and not issue.open


def test_a_duplicate_merged_into_another_leaves_the_priorities() -> None:
    issue = blank().reported(reported())
    assert issue is not None
    at = T0 + timedelta(hours=1)
    merged = issue.status_changed(
        status(IssueDuplicateMerged, "reported", "duplicate", at, duplicate_of="iss-0", followers_moved=1)
    )
    assert merged is not None and not merged.open and merged.status == "duplicate"

"""The status events an issue raises: one contract per workflow action, all with the same fields."""

from __future__ import annotations

from typing import Any

from hub_common.contracts.common import GeoPoint
from hub_common.contracts.issues import (
    IssueAcknowledged,
    IssueClosed,
    IssueDuplicateMerged,
    IssueFixed,
    IssueReferred,
    IssueReopened,
    IssueStatusEvent,
    IssueWorkStarted,
)
from hub_issues.domain.issue import Issue
from hub_issues.domain.workflow import StatusChange, open311_status

STATUS_EVENTS: dict[str, type[IssueStatusEvent]] = {
    "acknowledge": IssueAcknowledged,
    "start": IssueWorkStarted,
    "refer": IssueReferred,
    "fix": IssueFixed,
    "close": IssueClosed,
    "close_not_fixed": IssueClosed,
    "reopen": IssueReopened,
}


def location_of(issue: Issue) -> GeoPoint:
    return GeoPoint(lat=issue.lat, lon=issue.lon)


def _status_fields(issue: Issue, change: StatusChange) -> dict[str, Any]:
    """What every status event says, from the issue as the change left it."""
    return {
        "issue_id": issue.id,
        "hub_id": issue.hub_id,
        "service_code": issue.service_code,
        "service_name": issue.service_name,
        "location": location_of(issue),
        "asset_id": issue.asset_id,
        "previous_status": change.from_status,
        "status": change.to_status,
        "open311_status": open311_status(change.to_status),
        "public_note": change.public_note,
        "agency_responsible": issue.agency_responsible,
        "reason": change.reason,
        "changed_by": change.by,
        "reporter_id": issue.reporter_id,
        "changed_by_role": change.by_role,
        "changed_at": change.at,
    }


def status_event(issue: Issue, change: StatusChange) -> IssueStatusEvent:
    """The event of a workflow action (not a merge: see :func:`duplicate_merged`)."""
    return STATUS_EVENTS[change.action](**_status_fields(issue, change))


def duplicate_merged(duplicate: Issue, change: StatusChange, followers_moved: int) -> IssueDuplicateMerged:
    return IssueDuplicateMerged(
        **_status_fields(duplicate, change), duplicate_of=change.duplicate_of, followers_moved=followers_moved
    )

"""What a status change does to an issue's public fields (pure: the service layer stores it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hub_issues.domain.workflow import CLOSED_STATUSES, StatusChange


def history_entry(change: StatusChange) -> dict[str, Any]:
    return {
        "action": change.action,
        "from_status": change.from_status,
        "to_status": change.to_status,
        "at": change.at,
        "by": change.by,
        "by_role": change.by_role,
        "public_note": change.public_note,
        "private_note": change.private_note,
        "agency_responsible": change.agency_responsible,
        "reason": change.reason,
        "duplicate_of": change.duplicate_of,
    }


def fields_after(change: StatusChange) -> tuple[dict[str, Any], list[str]]:
    """The fields to set and the fields to clear once ``change`` is applied."""
    to_set: dict[str, Any] = {
        "status": change.to_status,
        "open": change.to_status not in CLOSED_STATUSES,
        "status_notes": change.public_note,
        "updated_at": change.at,
    }
    to_clear: list[str] = []
    if change.action == "refer":
        to_set["agency_responsible"] = change.agency_responsible
    if change.action == "fix":
        to_set["fixed_at"] = change.at
        to_set["fix_note"] = change.public_note
    if change.to_status in CLOSED_STATUSES:
        to_set["closed_at"] = change.at
    if change.action == "close_not_fixed":
        to_set["reason"] = change.reason
    if change.action == "mark_duplicate":
        to_set["duplicate_of"] = change.duplicate_of
    if change.action == "reopen":
        to_clear += ["fixed_at", "fix_note", "closed_at", "reason", "time_to_fix_h", "fixed_on_time"]
        to_set["feedback_state"] = "none"
    return to_set, to_clear


def fix_metrics(requested_at: datetime, expected_at: datetime | None, fixed_at: datetime) -> dict[str, Any]:
    """Recorded when an issue is fixed, for area statistics: hours to fix, and whether within target."""
    return {
        "time_to_fix_h": round((fixed_at - requested_at).total_seconds() / 3600, 3),
        "fixed_on_time": expected_at is None or fixed_at <= expected_at,
    }


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def overdue(open_: bool, expected_at: datetime | None, now: datetime) -> bool:
    return open_ and expected_at is not None and now > expected_at


def feedback_due(feedback_state: str, fixed_at: datetime | None, now: datetime, delay: timedelta) -> bool:
    return feedback_state == "pending" and fixed_at is not None and now - fixed_at >= delay

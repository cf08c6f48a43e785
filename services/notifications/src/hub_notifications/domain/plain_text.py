"""Dates and times in plain words for messages (UK style, in the hub's local time)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/London")


def plain_datetime(value: datetime) -> str:
    """e.g. 'Saturday 6 December 2026 at 10:00'."""
    local = value.astimezone(LOCAL) if value.tzinfo else value
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def plain_date(value: date) -> str:
    """e.g. '6 December 2026'."""
    return f"{value.day} {value:%B %Y}"


def plain(value: object) -> str | None:
    """Plain words for a JSON date or date-time string; None when it is neither."""
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return plain_date(date.fromisoformat(value))
        return plain_datetime(datetime.fromisoformat(value))
    except ValueError:
        return None


STATUS_WORDS = {
    "reported": "reported",
    "acknowledged": "acknowledged: we are looking at it",
    "in_progress": "being worked on",
    "referred": "passed to the organisation responsible",
    "fixed": "fixed",
    "closed": "closed",
    "closed_not_fixed": "closed without a fix",
    "duplicate": "handled together with another report",
}


def plain_status(value: object) -> str | None:
    """A workflow status in words, e.g. 'in_progress' -> 'being worked on'."""
    if not isinstance(value, str):
        return None
    return STATUS_WORDS.get(value, value.replace("_", " "))

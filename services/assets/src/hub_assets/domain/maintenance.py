"""Maintenance records on assets: opened by an issue report, a poor check-in, or staff.

A record opened by an issue is keyed by the issue (``issue:<issue_id>``) so a redelivered or
repeated report never opens a second one; fixing the issue does not close it: staff complete it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from hub_common.contracts.assets import MaintenanceSource
from hub_common.errors import Conflict


class MaintenanceRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    asset_id: str
    hub_id: str
    source: MaintenanceSource
    summary: str
    issue_id: str | None = None
    status: Literal["open", "completed"] = "open"
    opened_at: datetime
    completed_at: datetime | None = None
    notes: str = ""
    version: int = 1


def issue_record_id(issue_id: str) -> str:
    return f"issue:{issue_id}"


def inspection_due_at(
    interval_days: int | None, last_inspected_at: datetime | None, since: datetime
) -> datetime | None:
    """When the next inspection falls due (counted from the last one, or from when the item was registered)."""
    if interval_days is None:
        return None
    return (last_inspected_at or since) + timedelta(days=interval_days)


def inspection_record_id(asset_id: str, due_at: datetime) -> str:
    return f"inspection:{asset_id}:{due_at.date().isoformat()}"


def complete(record: MaintenanceRecord, now: datetime, notes: str) -> MaintenanceRecord:
    if record.status != "open":
        raise Conflict("this maintenance record is already completed")
    return record.model_copy(
        update={"status": "completed", "completed_at": now, "notes": notes, "version": record.version + 1}
    )

"""Events published by the issues service (``hub.issues.events``).

``issue.reported`` is read by assets (a report against an asset opens maintenance on it), by
volunteers (a category mapped to a role suggests a shift) and by notifications. Reporters appear
only as an opaque ``reporter_id``; their contact details travel on ``hub.contacts``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from hub_common.contracts.common import GeoPoint
from hub_common.contracts.registry import EventData, event_contract


@event_contract("hub.issues.issue.reported.v1")
class IssueReported(EventData):
    """A resident or partner reported a local issue."""

    issue_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    service_code: str = Field(min_length=1, max_length=64, description="Open311 service (category) code")
    service_name: str = Field(min_length=1, max_length=200)
    description: str = Field(max_length=4000, description="the public description")
    location: GeoPoint
    address: str | None = Field(default=None, max_length=500)
    asset_id: str | None = Field(default=None, max_length=64, description="the community asset it concerns")
    reporter_id: str | None = Field(default=None, max_length=128, description="opaque person id, never contact data")
    requested_at: datetime
    status: str = "reported"

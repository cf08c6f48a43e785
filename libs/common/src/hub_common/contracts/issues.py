"""Events published by the issues service (``hub.issues.events``).

``issue.reported`` is read by assets (a report against an asset opens maintenance on it), by
volunteers (a category mapped to a role suggests a shift) and by notifications. Reporters appear
only as an opaque ``reporter_id``; their contact details travel on ``hub.contacts``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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


# --- the life of an issue after it is reported --------------------------------------------------

IssueStatus = Literal[
    "reported", "acknowledged", "in_progress", "referred", "fixed", "closed", "closed_not_fixed", "duplicate"
]


class IssueStatusEvent(EventData):
    """Common public fields of every workflow change: what a partner needs to follow an issue.

    ``changed_by`` is an opaque account id (staff, partner or the reporter); the optional
    private note staff may add never leaves the service.
    """

    issue_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    service_code: str = Field(min_length=1, max_length=64)
    service_name: str = Field(min_length=1, max_length=200)
    location: GeoPoint
    asset_id: str | None = Field(default=None, max_length=64)
    previous_status: IssueStatus
    status: IssueStatus
    open311_status: Literal["open", "closed"]
    public_note: str = Field(max_length=4000)
    agency_responsible: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=500, description="why it was closed without a fix")
    changed_by: str | None = Field(default=None, max_length=128, description="opaque account id")
    reporter_id: str | None = Field(default=None, max_length=128, description="opaque person id of the reporter")
    changed_by_role: Literal["resident", "staff", "partner", "operator", "system"]
    changed_at: datetime


@event_contract("hub.issues.issue.acknowledged.v1")
class IssueAcknowledged(IssueStatusEvent):
    """Hub staff acknowledged a report (reported -> acknowledged)."""


@event_contract("hub.issues.issue.work_started.v1")
class IssueWorkStarted(IssueStatusEvent):
    """Work on the issue started (-> in_progress)."""


@event_contract("hub.issues.issue.referred.v1")
class IssueReferred(IssueStatusEvent):
    """The issue was referred to a partner agency (``agency_responsible``)."""


@event_contract("hub.issues.issue.fixed.v1")
class IssueFixed(IssueStatusEvent):
    """The issue was fixed; ``public_note`` says what was done ("You Said, We Did")."""


@event_contract("hub.issues.issue.closed.v1")
class IssueClosed(IssueStatusEvent):
    """The issue was closed: after a fix (``closed``) or without one (``closed_not_fixed`` with ``reason``)."""


@event_contract("hub.issues.issue.reopened.v1")
class IssueReopened(IssueStatusEvent):
    """A fixed or closed issue was reopened (by staff, or by its reporter within the reopen period)."""


@event_contract("hub.issues.issue.duplicate_merged.v1")
class IssueDuplicateMerged(IssueStatusEvent):
    """The issue was merged into ``duplicate_of``; its reporter and supporters now follow the original."""

    duplicate_of: str = Field(min_length=1, max_length=64)
    followers_moved: int = Field(ge=0, description="how many reporters/supporters now follow the original")


@event_contract("hub.issues.issue.supported.v1")
class IssueSupported(EventData):
    """A resident added their "me too" to an open issue (one per resident)."""

    issue_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    service_code: str = Field(min_length=1, max_length=64)
    location: GeoPoint
    supporter_id: str = Field(min_length=1, max_length=128, description="opaque person id")
    support_count: int = Field(ge=1)
    supported_at: datetime


@event_contract("hub.issues.issue.update_published.v1")
class IssueUpdatePublished(EventData):
    """Hub staff published a progress update on an issue without changing its status."""

    issue_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    service_code: str = Field(min_length=1, max_length=64)
    location: GeoPoint
    status: IssueStatus
    public_note: str = Field(min_length=1, max_length=4000)
    published_by: str | None = Field(default=None, max_length=128, description="opaque account id")
    published_at: datetime


@event_contract("hub.issues.issue.overdue.v1")
class IssueOverdue(EventData):
    """An open issue passed its category's target response time."""

    issue_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    service_code: str = Field(min_length=1, max_length=64)
    service_name: str = Field(min_length=1, max_length=200)
    location: GeoPoint
    status: IssueStatus
    requested_at: datetime
    expected_at: datetime
    flagged_at: datetime


@event_contract("hub.issues.issue.feedback_requested.v1")
class IssueFeedbackRequested(EventData):
    """Some time after the fix, the reporter is asked: is it fixed, how satisfied are you?

    The reporter answers at ``POST /v1/issues/{issue_id}/feedback`` signed in as ``reporter_id``
    (notifications can mint that short-lived link token); each request takes one answer.
    """

    issue_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    service_code: str = Field(min_length=1, max_length=64)
    service_name: str = Field(min_length=1, max_length=200)
    location: GeoPoint
    reporter_id: str = Field(min_length=1, max_length=128, description="opaque person id")
    fixed_at: datetime
    requested_at: datetime
    respond_by: datetime


@event_contract("hub.issues.issue.feedback_received.v1")
class IssueFeedbackReceived(EventData):
    """The reporter answered the feedback request ("not fixed" also reopens the issue)."""

    issue_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    service_code: str = Field(min_length=1, max_length=64)
    location: GeoPoint
    fixed: bool
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    received_at: datetime


# --- what partners publish to hub.issues.inbound ------------------------------------------------


@event_contract("hub.issues.report.submitted.v1", topic="hub.issues.inbound")
class PartnerReportSubmitted(EventData):
    """A partner system's issue report, published to ``hub.issues.inbound``.

    Validated like any report (hub by location, category, attribute answers, asset) and ingested
    once per ``ce_source`` + ``partner_ref``; one that can never be valid goes to ``hub.issues.dlt``.
    Reporters are opaque ``reporter_ref``s of the partner: never contact details.
    """

    partner_ref: str = Field(min_length=1, max_length=128, description="the partner's own id of the report")
    service_code: str = Field(min_length=1, max_length=64)
    description: str = Field(default="", max_length=4000)
    location: GeoPoint | None = None
    address: str | None = Field(default=None, max_length=500)
    address_id: str | None = Field(default=None, max_length=100)
    zipcode: str | None = Field(default=None, max_length=20)
    media_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    attributes: dict[str, str | float | list[str]] = Field(default_factory=dict)
    asset_id: str | None = Field(default=None, max_length=64)
    jurisdiction_id: str | None = Field(default=None, max_length=64, description="hub id, when no location")
    reporter_ref: str | None = Field(default=None, max_length=128, description="opaque id in the partner's system")


@event_contract("hub.issues.issue.assigned.v1")
class IssueAssigned(EventData):
    """Hub staff assigned an open issue to a team or person who will act on it."""

    issue_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    service_code: str = Field(min_length=1, max_length=64)
    location: GeoPoint
    status: IssueStatus
    assignee: str = Field(min_length=1, max_length=128, description="a team name or opaque staff id")
    assigned_by: str | None = Field(default=None, max_length=128, description="opaque account id")
    assigned_at: datetime


AgencyReportKind = Literal["progress", "started", "fixed", "not_fixed"]


@event_contract("hub.issues.agency_update.submitted.v1", topic="hub.issues.inbound")
class AgencyUpdateSubmitted(EventData):
    """The partner agency an issue was referred to reports back on it: progress (a public update),
    work started, fixed, or not fixed (with a reason). Taken only from ``/partners/<id>`` when the
    open issue is referred to that partner (``agency_responsible``) and it is granted the hub and
    this type; the resident sees it among the issue's public updates. Send a repeat with the same
    ``ce_id`` (consumers drop repeats); a status it has already reached is refused to the DLT."""

    issue_id: str = Field(min_length=1, max_length=64)
    kind: AgencyReportKind
    public_note: str = Field(min_length=1, max_length=2000, description="shown to the public")
    reason: str | None = Field(default=None, max_length=500, description="why it is not fixed (kind not_fixed)")

"""Open priorities: each hub's open problem reports, as the issues service publishes them.

A read model of ``hub.issues.events`` (never the issues service's API or database): per issue its
hub, category (the public ``service_name`` the issues service shows), support count and when it was
opened, and whether it is open. Nothing about the reporter or supporters, and not the description
(free text a resident wrote). A forum's agenda takes the hub's most supported open issues, oldest
first among equals, as the issues service's public priorities rank them.

Order-safe: each event carries its own time, and a change only applies when it is newer than what
was last applied of its kind (the status by ``changed_at``, the count by ``supported_at``), so a
repeat or a late event changes nothing and a late "me too" never reopens a closed issue. A status
or support arriving before the report keeps what it says; the issue is listed once its report
(the opened time) has arrived too.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from hub_common.contracts.issues import IssueReported, IssueStatusEvent, IssueSupported


class OpenIssue(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str  # the issue id
    hub_id: str
    service_code: str
    service_name: str = ""
    requested_at: datetime | None = None  # None until the report itself arrives
    status: str = "reported"
    status_at: datetime | None = None
    support_count: int = 0
    support_at: datetime | None = None
    open: bool = False  # listed: open, and its report seen

    def _listed(self, **update: object) -> OpenIssue:
        changed = self.model_copy(update=update)
        return changed.model_copy(update={"open": changed.requested_at is not None and _is_open(changed.status)})

    def reported(self, event: IssueReported) -> OpenIssue | None:
        """The report: what and when; its status only if no later status change came first."""
        if self.requested_at is not None:
            return None
        update: dict[str, object] = {"requested_at": event.requested_at, "service_name": event.service_name}
        if self.status_at is None:
            update |= {"status": event.status, "status_at": event.requested_at}
        return self._listed(**update)

    def status_changed(self, event: IssueStatusEvent) -> OpenIssue | None:
        if self.status_at is not None and event.changed_at <= self.status_at:
            return None
        return self._listed(status=event.status, status_at=event.changed_at, service_name=event.service_name)

    def supported(self, event: IssueSupported) -> OpenIssue | None:
        """The count the issues service gives (the whole count, not one more): the newest one wins."""
        if self.support_at is not None and event.supported_at <= self.support_at:
            return None
        return self._listed(support_count=event.support_count, support_at=event.supported_at)


def first_seen(issue_id: str, hub_id: str, service_code: str) -> OpenIssue:
    return OpenIssue(id=issue_id, hub_id=hub_id, service_code=service_code)


def _is_open(status: str) -> bool:
    return status in {"reported", "acknowledged", "in_progress", "referred"}

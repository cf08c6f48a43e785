from typing import ClassVar

from pydantic import Field

from hub_common.settings import HubSettings


class IssuesSettings(HubSettings):
    service_name: ClassVar[str] = "issues"
    default_http_port: ClassVar[int] = 8002

    # Open issues of the same category within this distance of a new report are likely duplicates.
    duplicate_radius_m: float = Field(default=50.0, gt=0, le=500)
    # A reporter may reopen their issue this many days after it was fixed or closed.
    reopen_days: int = Field(default=28, ge=0)
    # Open311 GET requests: default window and the most requests one answer returns.
    open311_default_days: int = Field(default=90, ge=1)
    open311_max_requests: int = Field(default=1000, ge=1, le=10_000)
    # Ask the reporter for feedback this many days after the fix; they have this long to answer.
    feedback_after_days: int = Field(default=28, ge=0)
    feedback_respond_days: int = Field(default=14, ge=1)
    # How often a worker flags overdue issues and sends due feedback requests.
    sweep_interval_s: float = Field(default=300.0, gt=0)
    # Retention: a report closed this long ago no longer names its reporter, followers or supporters,
    # and a reporter id minted for the report has its contact details erased (the report stays).
    closed_report_contact_retention_days: int = Field(default=365, ge=30)
    # Hubs and categories are cached per process for this long on the report path (0 = off); a
    # change made through another replica is seen within this time.
    reference_cache_s: float = Field(default=5.0, ge=0, le=300)

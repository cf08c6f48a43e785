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
    # Address and postcode search: a Nominatim-style geocoding service (``{url}/search``), tried before
    # the local gazetteer; empty: the gazetteer alone (what `make run` uses, offline).
    geocoder_url: str = ""
    geocoder_timeout_s: float = Field(default=3.0, gt=0, le=30)
    # Retention: a report closed this long ago no longer names its reporter, followers or supporters,
    # and a reporter id minted for the report has its contact details erased (the report stays).
    closed_report_contact_retention_days: int = Field(default=365, ge=30)
    # Hubs and categories are cached per process for this long on the report path (0 = off); a
    # change made through another replica is seen within this time.
    reference_cache_s: float = Field(default=5.0, ge=0, le=300)
    # Photos: the largest file taken, the most pixels one may declare (a small file can claim a huge
    # image: a decompression bomb), the served photo's and thumbnail's longest side, how long an
    # uploaded photo waits for the report or update that names it, and how long the public may cache one
    # (a photo staff hide leaves shared caches within this time).
    photo_max_bytes: int = Field(default=10_000_000, ge=100_000, le=50_000_000)
    photo_max_pixels: int = Field(default=40_000_000, ge=1_000_000, le=150_000_000)
    photo_max_side: int = Field(default=2048, ge=320, le=8192)
    photo_thumbnail_side: int = Field(default=320, ge=64, le=1024)
    photo_attach_minutes: int = Field(default=60, ge=5, le=24 * 60)
    photo_cache_s: int = Field(default=300, ge=0, le=86_400)

"""``/v1/issues``: report an issue, search issues, read one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub_common.auth import Principal
from hub_common.errors import Forbidden, RuleViolation
from hub_common.http import Idempotency, OptionalCaller, Paging, StaffForHub, set_etag
from hub_common.pagination import Page
from hub_issues.adapters.issues import IssueQuery
from hub_issues.api.deps import Feeds, Reporting
from hub_issues.api.schemas import IssueOut, ReportIn, ReportOut
from hub_issues.api.views import issue_view, report_view
from hub_issues.domain import text
from hub_issues.domain.workflow import CLOSED_STATUSES, OPEN_STATUSES
from hub_issues.service.reporting import Contact, ReportRequest

router = APIRouter(prefix="/v1")
STATUSES = sorted(OPEN_STATUSES | CLOSED_STATUSES)


def is_staff_for(principal: Principal | None, hub_id: str) -> bool:
    return principal is not None and principal.is_staff_for(hub_id)


def report_request(body: ReportIn) -> ReportRequest:
    contact = body.contact
    return ReportRequest(
        service_code=body.service_code,
        description=body.description,
        lat=body.lat,
        lon=body.lon,
        address=body.address,
        address_id=body.address_id,
        zipcode=body.zipcode,
        media_url=str(body.media_url) if body.media_url else None,
        photo_ids=body.photo_ids,
        answers=body.attributes,
        asset_id=body.asset_id,
        jurisdiction_id=body.jurisdiction_id,
        contact=Contact(contact.name, str(contact.email) if contact.email else None, contact.phone, contact.language)
        if contact
        else Contact(),
    )


@router.post(
    "/issues",
    status_code=201,
    tags=["issues"],
    summary="Report an issue (signed in or with contact)",
    response_model_exclude_unset=True,
)
async def report(
    body: ReportIn, response: Response, principal: OptionalCaller, reporting: Reporting, idempotency: Idempotency
) -> ReportOut:
    result = await reporting.report(principal, report_request(body), idempotency)
    set_etag(response, result.issue.version)
    response.headers["Location"] = f"/v1/issues/{result.issue.id}"
    return report_view(result)


@router.get(
    "/issues",
    tags=["issues"],
    summary="Search issues (public fields; staff of a hub also see its private fields)",
    response_model_exclude_unset=True,
)
async def list_issues(
    page: Paging,
    principal: OptionalCaller,
    feeds: Feeds,
    hub_id: str | None = None,
    status: Annotated[list[str] | None, Query(description=f"any of {', '.join(STATUSES)}")] = None,
    service_code: str | None = None,
    q: Annotated[str | None, Query(max_length=200, description="words in the description or address")] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_m: Annotated[float, Query(gt=0, le=10_000)] = 500,
    since: datetime | None = None,
    until: datetime | None = None,
    assignee: Annotated[str | None, Query(max_length=128, description="staff of the hub only")] = None,
) -> Page[IssueOut]:
    if assignee is not None and not (hub_id and is_staff_for(principal, hub_id)):
        raise Forbidden("filtering by assignee needs hub_id and staff access to that hub")
    if (lat is None) != (lon is None):
        raise RuleViolation("give both lat and lon to search near a point")
    query = IssueQuery(
        hub_id=hub_id,
        statuses=checked_statuses(status),
        service_codes=[service_code] if service_code else None,
        near=(lat, lon, radius_m) if lat is not None and lon is not None else None,
        words=text.query_terms(q) if q else None,
        since=since,
        until=until,
        assignee=assignee,
    )
    issues, cursor = await feeds.search(query, page)
    items = [issue_view(i, staff=is_staff_for(principal, i.hub_id)) for i in issues]
    return Page[IssueOut](items=items, next_cursor=cursor)


def checked_statuses(status: list[str] | None) -> list[str] | None:
    unknown = [s for s in status or [] if s not in STATUSES]
    if unknown:
        raise RuleViolation(
            f"unknown status {', '.join(unknown)}",
            errors=[{"field": "query.status", "message": f"one of {', '.join(STATUSES)}", "type": "enum"}],
        )
    return status or None


@router.get(
    "/hubs/{hub_id}/issues",
    tags=["issues"],
    summary="Staff: a hub's issues, filtered and searched, newest first (cursor pages)",
    response_model_exclude_unset=True,
)
async def hub_issues(
    hub_id: str,
    page: Paging,
    principal: StaffForHub,
    feeds: Feeds,
    status: Annotated[list[str] | None, Query(description=f"any of {', '.join(STATUSES)}")] = None,
    service_code: Annotated[list[str] | None, Query(max_length=64, description="any of these categories")] = None,
    overdue: Annotated[bool, Query(description="only open issues past their expected time")] = False,
    assignee: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="whole words of the title, description, address or id")
    ] = None,
) -> Page[IssueOut]:
    words = text.query_terms(q) if q else None
    if q and not words:
        raise RuleViolation(
            "search for words of two or more letters or digits",
            errors=[{"field": "query.q", "message": "no words to search for", "type": "value_error"}],
        )
    query = IssueQuery(
        hub_id=hub_id,
        statuses=checked_statuses(status),
        service_codes=service_code or None,
        words=words,
        assignee=assignee,
    )
    issues, cursor = await feeds.hub_issues(query, page, overdue=overdue)
    return Page[IssueOut](items=[issue_view(i, staff=True) for i in issues], next_cursor=cursor)


@router.get(
    "/issues/{issue_id}",
    tags=["issues"],
    summary="One issue (staff of its hub also see private notes)",
    response_model_exclude_unset=True,
)
async def get_issue(issue_id: str, response: Response, principal: OptionalCaller, feeds: Feeds) -> IssueOut:
    issue = await feeds.issue(issue_id)
    set_etag(response, issue.version)
    return issue_view(issue, staff=is_staff_for(principal, issue.hub_id))

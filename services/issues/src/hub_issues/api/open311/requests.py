"""Open311 service requests: POST a report (form-encoded, ``api_key``), GET them, one, or by token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import FormData

from hub_common.auth import Principal
from hub_common.errors import Unauthorized
from hub_common.http import idempotency_for
from hub_common.uow import IdempotentRequest
from hub_issues.api.deps import Feeds, Hubs, Reporting
from hub_issues.api.open311 import forms
from hub_issues.api.open311.rendering import (
    Open311Error,
    Open311Route,
    api_base,
    query_parameters,
    render,
    when,
)
from hub_issues.domain.issue import Issue
from hub_issues.domain.photos import photo_path
from hub_issues.domain.workflow import open311_status
from hub_issues.service.reporting import ReportRequest

API_KEY_ROLES = ("partner", "staff", "operator")
FORM_FIELDS = (
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "asset_id",
)
POST_BODY = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["api_key", "service_code"],
                    "properties": {name: {"type": "string"} for name in FORM_FIELDS},
                    "additionalProperties": {"type": "string", "description": "attribute[CODE]"},
                }
            }
        }
    }
}

router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)


def request_entry(issue: Issue, base_url: str) -> dict[str, Any]:
    """The public Open311 view of an issue: never the reporter's identity or private notes.
    ``media_url`` is its first photo the public may see (else the link the reporter gave), as an
    absolute URL under ``base_url`` (this API's, as the caller reached it)."""
    shown = issue.visible_photos
    return {
        "service_request_id": issue.id,
        "status": open311_status(issue.status),
        "status_notes": issue.status_notes,
        "service_name": issue.service_name,
        "service_code": issue.service_code,
        "description": issue.description,
        "agency_responsible": issue.agency_responsible,
        "service_notice": None,
        "requested_datetime": when(issue.requested_at),
        "updated_datetime": when(issue.updated_at),
        "expected_datetime": when(issue.expected_at),
        "address": issue.address,
        "address_id": issue.address_id,
        "zipcode": issue.zipcode,
        "lat": issue.lat,
        "long": issue.lon,
        "media_url": f"{base_url}{photo_path(shown[0].id)}" if shown else issue.media_url,
    }


async def _form(request: Request) -> FormData:
    # Read the body whole first: the form is then parsed from it and the Idempotency-Key's
    # fingerprint can read it too (parsing straight from the stream would consume it).
    await request.body()
    try:
        return await request.form()
    except Exception:
        raise Open311Error(400, "send the request form-encoded") from None


async def api_key_caller(request: Request) -> Principal:
    """Who posts: the ``api_key`` form field (or query parameter), a partner or staff token from the
    platform's issuer, as the Open311 spec has callers sign in (a Bearer header plays no part here)."""
    api_key = forms.text(await _form(request), "api_key", 4000) or request.query_params.get("api_key")
    if not api_key:
        raise Open311Error(400, "api_key is required")
    try:
        principal = await request.app.state.verifier.verify(api_key)
    except Unauthorized as exc:
        raise Open311Error(403, f"api_key is not valid: {exc.detail}") from None
    if principal.role not in API_KEY_ROLES:
        raise Open311Error(403, "api_key must be a partner or staff key")
    return principal


ApiKeyCaller = Annotated[Principal, Depends(api_key_caller)]
# A key belongs to the api_key's account, like a Bearer caller's: the same key with another body is refused.
ApiKeyIdempotency = Annotated[IdempotentRequest | None, idempotency_for(api_key_caller)]


@router.post("/requests.{fmt}", summary="Open311 POST service request (form-encoded)", openapi_extra=POST_BODY)
async def post_request(
    fmt: str,
    request: Request,
    principal: ApiKeyCaller,
    hubs: Hubs,
    reporting: Reporting,
    idempotency: ApiKeyIdempotency,
) -> Response:
    form = await _form(request)
    service_code = forms.text(form, "service_code", 64)
    if not service_code:
        raise Open311Error(400, "service_code is required")
    report = ReportRequest(
        service_code=service_code,
        description=forms.text(form, "description", 4000) or "",
        lat=forms.coordinate(form, "lat", 90),
        lon=forms.coordinate(form, "long", 180),
        address=forms.text(form, "address_string", 500),
        address_id=forms.text(form, "address_id", 100),
        zipcode=forms.text(form, "zipcode", 20),
        media_url=forms.media_url(form),
        answers=forms.answers(form),
        asset_id=forms.text(form, "asset_id", 64),
        jurisdiction_id=await forms.jurisdiction(hubs, form),
        contact=forms.contact(form),
        channel="open311",
        attribute_field=lambda code: f"attribute[{code}]",
    )
    if (report.lat is None) != (report.lon is None):
        raise Open311Error(400, "send both lat and long")
    result = await reporting.report(principal, report, idempotency)
    notice = None
    if result.likely_duplicates:
        notice = "Similar reports nearby: " + ", ".join(d.issue_id for d in result.likely_duplicates)
    payload = [{"service_request_id": result.issue.id, "service_notice": notice, "account_id": None}]
    return render(fmt, "service_requests", "request", payload, status=201)


@router.get(
    "/requests.{fmt}",
    summary="Open311 GET service requests (newest first, at most 1000)",
    openapi_extra=query_parameters(
        "jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date", "status"
    ),
)
async def get_requests(fmt: str, request: Request, hubs: Hubs, feeds: Feeds) -> Response:
    params = request.query_params
    hub_id = await forms.jurisdiction(hubs, params)
    ids = forms.csv(params.get("service_request_id"))
    start, end = forms.dates(params) if not ids else (None, None)
    issues = await feeds.open311_requests(
        ids=ids,
        hub_id=hub_id,
        service_codes=forms.csv(params.get("service_code")) or None,
        statuses=forms.csv(params.get("status")),
        start=start,
        end=end,
    )
    base = api_base(request)
    return render(fmt, "service_requests", "request", [request_entry(i, base) for i in issues])


@router.get(
    "/requests/{request_id}.{fmt}",
    summary="Open311 GET one service request",
    openapi_extra=query_parameters("jurisdiction_id"),
)
async def get_request(request_id: str, fmt: str, request: Request, hubs: Hubs, feeds: Feeds) -> Response:
    await forms.jurisdiction(hubs, request.query_params)
    issue = await feeds.find_issue(request_id)
    if issue is None:
        raise Open311Error(404, f"service_request_id '{request_id}' not found")
    return render(fmt, "service_requests", "request", [request_entry(issue, api_base(request))])


@router.get("/tokens/{token}.{fmt}", summary="Open311 service_request_id from a token")
async def get_token(token: str, fmt: str, feeds: Feeds) -> Response:
    # Requests get their id at once, so the token is the id itself.
    if await feeds.find_issue(token) is None:
        raise Open311Error(404, f"token '{token}' not found")
    return render(fmt, "service_requests", "request", [{"service_request_id": token, "token": token}])

"""Open311 GeoReport v2 under ``/open311/v2/`` (https://wiki.open311.org/GeoReport_v2).

Every route takes the format as its extension (``.json`` or ``.xml``), accepts
``jurisdiction_id`` (a hub id) and answers errors in Open311's own format: a list of
``{"code", "description"}`` (JSON) or ``<errors><error>`` (XML), never problem+json, so an
existing Open311 client works unchanged. ``api_key`` is a partner, staff or operator JWT.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from pydantic import EmailStr, TypeAdapter, ValidationError
from starlette.datastructures import FormData, QueryParams

from hub_common.auth import decode_token
from hub_common.errors import ProblemError, Unauthorized
from hub_common.http import idempotent_request
from hub_common.service import ServiceContext
from hub_common.uow import IdempotencyConflict
from hub_issues.adapters import store
from hub_issues.domain.catalogue import parse_datetime
from hub_issues.domain.workflow import open311_status
from hub_issues.service import Contact, IssuesService, ReportRequest
from hub_issues.settings import IssuesSettings

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00+00:00"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
PLURAL = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
PHONE = re.compile(r"^\+?[0-9 ]{7,20}$")
API_KEY_ROLES = ("partner", "staff", "operator")
_email = TypeAdapter(EmailStr)


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


# --- rendering --------------------------------------------------------------------------------


def _element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list):
        for child in value:
            element.append(_element(PLURAL.get(tag, "item"), child))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def to_xml(root: str, item: str, items: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    if isinstance(items, dict):
        tree = _element(root, items)
    else:
        tree = ET.Element(root)
        for entry in items:
            tree.append(_element(item, entry))
    # The spec asks for the declaration with encoding="UTF-8" before the root element.
    return XML_DECLARATION + ET.tostring(tree, encoding="unicode").encode("utf-8")


def render(fmt: str, root: str, item: str, payload: Any, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(to_xml(root, item, payload), status_code=status, media_type=FORMATS["xml"])
    return Response(json.dumps(payload, ensure_ascii=False), status_code=status, media_type=FORMATS["json"])


def error_response(fmt: str, code: int, description: str) -> Response:
    return render(
        fmt if fmt in FORMATS else "json", "errors", "error", [{"code": code, "description": description}], code
    )


def _from_problem(exc: ProblemError) -> Open311Error:
    description = exc.detail
    if exc.errors:
        description += ": " + "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors)
    code = 400 if exc.status == 422 else exc.status
    return Open311Error(code, description)


async def guarded(fmt: str, produce: Callable[[], Awaitable[Response]]) -> Response:
    if fmt not in FORMATS:
        return error_response("json", 400, f"unsupported format '{fmt}': use .json or .xml")
    try:
        return await produce()
    except Open311Error as exc:
        return error_response(fmt, exc.code, exc.description)
    except ProblemError as exc:
        err = _from_problem(exc)
        return error_response(fmt, err.code, err.description)
    except IdempotencyConflict:
        return error_response(fmt, 400, "this Idempotency-Key was already used for a different request")


def when(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def service_entry(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "service_code": doc["code"],
        "service_name": doc["name"],
        "description": doc.get("description", ""),
        "metadata": bool(doc.get("attributes")),
        "type": "realtime",
        "keywords": ",".join(doc.get("keywords", [])),
        "group": doc.get("group", ""),
    }


def service_definition(doc: dict[str, Any]) -> dict[str, Any]:
    attributes = sorted(doc.get("attributes", []), key=lambda a: (a.get("order", 0), a["code"]))
    return {
        "service_code": doc["code"],
        "attributes": [
            {
                "variable": a.get("variable", True),
                "code": a["code"],
                "datatype": a["datatype"],
                "required": a.get("required", False),
                "datatype_description": a.get("datatype_description", "") or None,
                "order": a.get("order", 0),
                "description": a["description"],
                **({"values": [{"key": v["key"], "name": v["name"]} for v in a["values"]]} if a.get("values") else {}),
            }
            for a in attributes
        ],
    }


def request_entry(doc: dict[str, Any]) -> dict[str, Any]:
    """The public Open311 view of an issue: never the reporter's identity or private notes."""
    return {
        "service_request_id": doc["_id"],
        "status": open311_status(doc["status"]),
        "status_notes": doc.get("status_notes"),
        "service_name": doc["service_name"],
        "service_code": doc["service_code"],
        "description": doc["description"],
        "agency_responsible": doc.get("agency_responsible"),
        "service_notice": None,
        "requested_datetime": when(doc["requested_at"]),
        "updated_datetime": when(doc["updated_at"]),
        "expected_datetime": when(doc.get("expected_at")),
        "address": doc.get("address"),
        "address_id": doc.get("address_id"),
        "zipcode": doc.get("zipcode"),
        "lat": doc["lat"],
        "long": doc["lon"],
        "media_url": doc.get("media_url"),
    }


# --- input ------------------------------------------------------------------------------------


def _text(form: FormData | QueryParams, name: str, limit: int = 500) -> str | None:
    value = form.get(name)
    if value is None or not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters")
    return value or None


def _coordinate(form: FormData, name: str, bound: float) -> float | None:
    raw = _text(form, name, 40)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a decimal number") from None
    if not -bound <= value <= bound:
        raise Open311Error(400, f"{name} must be between -{bound:g} and {bound:g}")
    return value


def _answers(form: FormData) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for key in dict.fromkeys(form.keys()):
        match = ATTRIBUTE.match(key)
        if not match:
            continue
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        code = match.group(1)
        if match.group(2) or len(values) > 1 or code in answers:
            answers[code] = [*(answers.get(code) or []), *values] if isinstance(answers.get(code), list) else values
        else:
            answers[code] = values[0] if values else None
    return answers


def _contact(form: FormData) -> Contact:
    first, last = _text(form, "first_name", 100), _text(form, "last_name", 100)
    email, phone = _text(form, "email", 254), _text(form, "phone", 30)
    if email:
        try:
            email = str(_email.validate_python(email))
        except ValidationError:
            raise Open311Error(400, "email is not a valid email address") from None
    if phone and not PHONE.match(phone):
        raise Open311Error(400, "phone must be digits and spaces, optionally starting with +")
    name = " ".join(p for p in (first, last) if p) or None
    return Contact(name=name, email=email, phone=phone)


def _media_url(form: FormData) -> str | None:
    url = _text(form, "media_url", 2000)
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        raise Open311Error(400, "media_url must be an http(s) URL")
    return url


def _dates(params: QueryParams, default_days: int) -> tuple[datetime, datetime]:
    try:
        start = parse_datetime(params["start_date"]) if params.get("start_date") else None
        end = parse_datetime(params["end_date"]) if params.get("end_date") else None
    except ValueError as exc:
        raise Open311Error(400, f"start_date/end_date: {exc}") from None
    window = timedelta(days=default_days)
    if end is None:
        end = start + window if start else datetime.now(UTC)
    if start is None:
        start = end - window
    if start > end:
        raise Open311Error(400, "start_date is after end_date")
    if end - start > window:
        raise Open311Error(400, f"the date range may not span more than {default_days} days")
    return start, end


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _query(*names: str) -> dict[str, Any]:
    """OpenAPI description of the query parameters a route reads itself (Open311 keeps its own errors)."""
    described = {
        "jurisdiction_id": "a hub id (optional: this server serves several hubs)",
        "service_request_id": "comma-separated ids; when given, the other filters are ignored",
        "service_code": "comma-separated service codes",
        "start_date": "ISO 8601; earliest requested_datetime (default: 90 days before end_date)",
        "end_date": "ISO 8601; latest requested_datetime (default: now); the range spans at most 90 days",
        "status": "open, closed or both (comma-separated)",
    }
    return {
        "parameters": [
            {"name": n, "in": "query", "required": False, "schema": {"type": "string"}, "description": described[n]}
            for n in names
        ]
    }


# --- routes -----------------------------------------------------------------------------------


def build_router(ctx: ServiceContext) -> APIRouter:
    service = IssuesService(ctx)
    db = ctx.db
    settings = cast(IssuesSettings, ctx.settings)
    router = APIRouter(prefix="/open311/v2", tags=["open311"])

    async def jurisdiction(params: QueryParams | FormData) -> str | None:
        hub_id = params.get("jurisdiction_id")
        if hub_id and await store.hub(db, str(hub_id)) is None:
            raise Open311Error(404, f"jurisdiction_id '{hub_id}' is not a hub of this server")
        return str(hub_id) if hub_id else None

    @router.get("/discovery.{fmt}", summary="Open311 discovery")
    async def discovery(fmt: str, request: Request) -> Response:
        async def produce() -> Response:
            base = str(request.base_url).rstrip("/") + "/open311/v2"
            payload = {
                "changeset": CHANGESET,
                "contact": "Your community hub: use the contact details on its website",
                "key_service": "api_key: a partner or staff token issued by the hub operator",
                "endpoints": [
                    {
                        "specification": SPECIFICATION,
                        "url": base,
                        "changeset": CHANGESET,
                        "type": "production",
                        "formats": ["application/json", "text/xml"],
                    }
                ],
            }
            return render(fmt, "discovery", "discovery", payload)

        return await guarded(fmt, produce)

    @router.get(
        "/services.{fmt}", summary="Open311 service list (the catalogue)", openapi_extra=_query("jurisdiction_id")
    )
    async def services(fmt: str, request: Request) -> Response:
        async def produce() -> Response:
            hub_id = await jurisdiction(request.query_params)
            query = {"hub_id": hub_id, "active": True} if hub_id else {"active": True}
            sort = [("hub_id", 1), ("code", 1)] if hub_id else [("code", 1), ("hub_id", 1)]
            docs = await db[store.CATEGORIES].find(query).sort(sort).to_list(2000)
            unique = list({d["code"]: d for d in reversed(docs)}.values())[::-1]
            return render(fmt, "services", "service", [service_entry(d) for d in unique])

        return await guarded(fmt, produce)

    @router.get(
        "/services/{service_code}.{fmt}",
        summary="Open311 service definition (attributes)",
        openapi_extra=_query("jurisdiction_id"),
    )
    async def service_def(service_code: str, fmt: str, request: Request) -> Response:
        async def produce() -> Response:
            hub_id = await jurisdiction(request.query_params)
            query = {"code": service_code, "active": True, **({"hub_id": hub_id} if hub_id else {})}
            doc = await db[store.CATEGORIES].find_one(query, sort=[("code", 1), ("hub_id", 1)])
            if doc is None:
                raise Open311Error(404, f"service_code '{service_code}' not found")
            return render(fmt, "service_definition", "service_definition", service_definition(doc))

        return await guarded(fmt, produce)

    @router.post(
        "/requests.{fmt}",
        summary="Open311 POST service request (form-encoded)",
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "required": ["api_key", "service_code"],
                            "properties": {
                                name: {"type": "string"}
                                for name in (
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
                            },
                            "additionalProperties": {"type": "string", "description": "attribute[CODE]"},
                        }
                    }
                }
            }
        },
    )
    async def post_request(fmt: str, request: Request) -> Response:
        async def produce() -> Response:
            try:
                form = await request.form()
            except Exception:
                raise Open311Error(400, "send the request form-encoded") from None
            api_key = _text(form, "api_key", 4000) or request.query_params.get("api_key")
            if not api_key:
                raise Open311Error(400, "api_key is required")
            try:
                principal = decode_token(settings.auth_secret.get_secret_value(), api_key)
            except Unauthorized as exc:
                raise Open311Error(403, f"api_key is not valid: {exc.detail}") from None
            if principal.role not in API_KEY_ROLES:
                raise Open311Error(403, "api_key must be a partner or staff key")
            service_code = _text(form, "service_code", 64)
            if not service_code:
                raise Open311Error(400, "service_code is required")
            report = ReportRequest(
                service_code=service_code,
                description=_text(form, "description", 4000) or "",
                lat=_coordinate(form, "lat", 90),
                lon=_coordinate(form, "long", 180),
                address=_text(form, "address_string", 500),
                address_id=_text(form, "address_id", 100),
                zipcode=_text(form, "zipcode", 20),
                media_url=_media_url(form),
                answers=_answers(form),
                asset_id=_text(form, "asset_id", 64),
                jurisdiction_id=await jurisdiction(form),
                contact=_contact(form),
                channel="open311",
                attribute_field=lambda code: f"attribute[{code}]",
            )
            if (report.lat is None) != (report.lon is None):
                raise Open311Error(400, "send both lat and long")
            body = sorted((k, v) for k, v in form.multi_items() if k != "api_key" and isinstance(v, str))
            idem = idempotent_request(request.headers.get("Idempotency-Key"), request, principal, body)
            result = await service.report(principal, report, idem)
            issue = result["issue"]
            notice = None
            if result["likely_duplicates"]:
                ids = ", ".join(d["issue_id"] for d in result["likely_duplicates"])
                notice = f"Similar reports nearby: {ids}"
            payload = [{"service_request_id": issue["_id"], "service_notice": notice, "account_id": None}]
            return render(fmt, "service_requests", "request", payload, status=201)

        return await guarded(fmt, produce)

    @router.get(
        "/requests.{fmt}",
        summary="Open311 GET service requests (newest first, at most 1000)",
        openapi_extra=_query(
            "jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date", "status"
        ),
    )
    async def get_requests(fmt: str, request: Request) -> Response:
        async def produce() -> Response:
            params = request.query_params
            hub_id = await jurisdiction(params)
            limit = settings.open311_max_requests
            ids = _csv(params.get("service_request_id"))
            if ids:
                query = store.issue_query(ids=ids[:limit])
            else:
                start, end = _dates(params, settings.open311_default_days)
                statuses = _csv(params.get("status"))
                bad = [s for s in statuses if s not in ("open", "closed")]
                if bad:
                    raise Open311Error(400, f"status must be open or closed, not {', '.join(bad)}")
                open_ = None if len(set(statuses)) != 1 else statuses[0] == "open"
                query = store.issue_query(
                    hub_id=hub_id,
                    service_codes=_csv(params.get("service_code")) or None,
                    open_=open_,
                    since=start,
                    until=end,
                )
            docs = await db[store.ISSUES].find(query).sort(store.ISSUE_SORT).limit(limit).to_list()
            return render(fmt, "service_requests", "request", [request_entry(d) for d in docs])

        return await guarded(fmt, produce)

    @router.get(
        "/requests/{request_id}.{fmt}",
        summary="Open311 GET one service request",
        openapi_extra=_query("jurisdiction_id"),
    )
    async def get_request(request_id: str, fmt: str, request: Request) -> Response:
        async def produce() -> Response:
            await jurisdiction(request.query_params)
            doc = await store.issue(db, request_id)
            if doc is None:
                raise Open311Error(404, f"service_request_id '{request_id}' not found")
            return render(fmt, "service_requests", "request", [request_entry(doc)])

        return await guarded(fmt, produce)

    @router.get("/tokens/{token}.{fmt}", summary="Open311 service_request_id from a token")
    async def get_token(token: str, fmt: str) -> Response:
        async def produce() -> Response:
            # Requests get their id at once, so the token is the id itself.
            if await store.issue(db, token) is None:
                raise Open311Error(404, f"token '{token}' not found")
            return render(fmt, "service_requests", "request", [{"service_request_id": token, "token": token}])

        return await guarded(fmt, produce)

    return router

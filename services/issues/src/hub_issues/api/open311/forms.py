"""Reading Open311 input: form fields of a POST, query parameters of a GET (Open311 errors on bad input)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import EmailStr, TypeAdapter, ValidationError
from starlette.datastructures import FormData, QueryParams

from hub_issues.api.open311.rendering import Open311Error
from hub_issues.domain.catalogue import parse_datetime
from hub_issues.service.hubs import HubService
from hub_issues.service.reporting import Contact

ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
PHONE = re.compile(r"^\+?[0-9 ]{7,20}$")
_email = TypeAdapter(EmailStr)


def text(form: FormData | QueryParams, name: str, limit: int = 500) -> str | None:
    value = form.get(name)
    if value is None or not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters")
    return value or None


def coordinate(form: FormData, name: str, bound: float) -> float | None:
    raw = text(form, name, 40)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a decimal number") from None
    if not -bound <= value <= bound:
        raise Open311Error(400, f"{name} must be between -{bound:g} and {bound:g}")
    return value


def answers(form: FormData) -> dict[str, Any]:
    """``attribute[code]`` fields; ``attribute[code][]`` or a repeated field for a multivaluelist."""
    found: dict[str, Any] = {}
    for key in dict.fromkeys(form.keys()):
        match = ATTRIBUTE.match(key)
        if not match:
            continue
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        code = match.group(1)
        if match.group(2) or len(values) > 1 or code in found:
            found[code] = [*(found.get(code) or []), *values] if isinstance(found.get(code), list) else values
        else:
            found[code] = values[0] if values else None
    return found


def contact(form: FormData) -> Contact:
    first, last = text(form, "first_name", 100), text(form, "last_name", 100)
    email, phone = text(form, "email", 254), text(form, "phone", 30)
    if email:
        try:
            email = str(_email.validate_python(email))
        except ValidationError:
            raise Open311Error(400, "email is not a valid email address") from None
    if phone and not PHONE.match(phone):
        raise Open311Error(400, "phone must be digits and spaces, optionally starting with +")
    name = " ".join(p for p in (first, last) if p) or None
    return Contact(name=name, email=email, phone=phone)


def media_url(form: FormData) -> str | None:
    url = text(form, "media_url", 2000)
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        raise Open311Error(400, "media_url must be an http(s) URL")
    return url


def dates(params: QueryParams) -> tuple[datetime | None, datetime | None]:
    try:
        start = parse_datetime(params["start_date"]) if params.get("start_date") else None
        end = parse_datetime(params["end_date"]) if params.get("end_date") else None
    except ValueError as exc:
        raise Open311Error(400, f"start_date/end_date: {exc}") from None
    return start, end


def csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


async def jurisdiction(hubs: HubService, params: QueryParams | FormData) -> str | None:
    """The hub a request names as its ``jurisdiction_id`` (404 when this server has no such hub)."""
    hub_id = params.get("jurisdiction_id")
    if hub_id and not await hubs.exists(str(hub_id)):
        raise Open311Error(404, f"jurisdiction_id '{hub_id}' is not a hub of this server")
    return str(hub_id) if hub_id else None

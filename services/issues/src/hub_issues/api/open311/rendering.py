"""Open311's answers: JSON or XML by the route's extension, and Open311's own errors.

Errors are a list of ``{"code", "description"}`` (JSON) or ``<errors><error>`` (XML), never
problem+json, so an existing Open311 client works unchanged: :class:`Open311Route` renders every
error a route (or one of its dependencies) raises that way.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from hub_common.errors import ProblemError
from hub_common.uow import IdempotencyConflict

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
PLURAL = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


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


def _from_validation(exc: RequestValidationError) -> Open311Error:
    fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
    return Open311Error(400, f"some parameters are not valid: {fields}")


class Open311Route(APIRoute):
    """A route answering in its ``{fmt}`` (json or xml), with Open311 errors for whatever it raises."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def open311_handler(request: Request) -> Response:
            fmt = request.path_params.get("fmt", "json")
            if fmt not in FORMATS:
                return error_response("json", 400, f"unsupported format '{fmt}': use .json or .xml")
            try:
                return await handle(request)
            except Open311Error as exc:
                return error_response(fmt, exc.code, exc.description)
            except ProblemError as exc:
                err = _from_problem(exc)
                return error_response(fmt, err.code, err.description)
            except RequestValidationError as exc:
                err = _from_validation(exc)
                return error_response(fmt, err.code, err.description)
            except IdempotencyConflict:
                return error_response(fmt, 400, "this Idempotency-Key was already used for a different request")

        return open311_handler


def api_base(request: Request) -> str:
    """This API's address as the caller reached it (behind the gateway: with its path prefix)."""
    return str(request.base_url).rstrip("/")


def when(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def query_parameters(*names: str) -> dict[str, Any]:
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

"""OpenAPI links: what a client (or a stateful API tester) can do next with what a create returned.

A create answers with the new resource, whose ``id`` is the path parameter of the operations on
it. Each service's document links every create (a ``201`` answering with a schema that has an
``id``) to the operations that take that id, found by two plain rules:

- the operation's path is the create's path plus ``/{param}`` (``POST /v1/shifts`` →
  ``GET /v1/shifts/{shift_id}``, ``POST /v1/shifts/{shift_id}/cancel``, ...);
- or its path has the parameter named after the schema (``Booking`` → ``{booking_id}``), wherever
  the create lives (``POST /v1/rooms/{room_id}/bookings`` → ``POST /v1/bookings/{booking_id}/confirm``);
- or the create is nested and the operation lives in the collection it names
  (``POST /v1/assets/{asset_id}/maintenance`` → ``POST /v1/maintenance/{record_id}/complete``).

A linked write that honours ``If-Match`` is given the create's ``ETag``. Links a route declares
itself (``responses={201: {"links": ...}}``) are kept. Links are documentation (OpenAPI 3.1
"links"); they change no behaviour.
"""

from __future__ import annotations

import re
from typing import Any

_PARAM = re.compile(r"\{([^}]+)\}")
_METHODS = ("get", "put", "post", "patch", "delete")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _created_schema(operation: dict[str, Any], schemas: dict[str, Any]) -> str | None:
    """The component name of what a ``201`` answers, if it is an object with an ``id``."""
    content = operation.get("responses", {}).get("201", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    name = ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else None
    if name is None or "id" not in schemas.get(name, {}).get("properties", {}):
        return None
    return name


def _takes_if_match(operation: dict[str, Any]) -> bool:
    return any(
        p.get("in") == "header" and p.get("name", "").lower() == "if-match" for p in operation.get("parameters", [])
    )


def _targets(document: dict[str, Any], path: str, schema: str) -> list[tuple[str, str, str, bool]]:
    """(operationId, its path, parameter, whether it honours If-Match) of every operation that takes
    the created resource's id."""
    named = f"{_snake(schema)}_id"
    version, last = path.split("/")[1], path.rsplit("/", 1)[-1]
    sibling = f"/{version}/{last}/{{" if "{" in path and "{" not in last else None
    found: list[tuple[str, str, str, bool]] = []
    for other_path, item in document.get("paths", {}).items():
        parameter = None
        if other_path.startswith(path + "/{"):
            parameter = _PARAM.match(other_path[len(path) + 1 :]).group(1)  # type: ignore[union-attr]
        elif f"{{{named}}}" in other_path:
            parameter = named
        elif sibling and other_path.startswith(sibling):
            parameter = _PARAM.match(other_path[len(sibling) - 1 :]).group(1)  # type: ignore[union-attr]
        if parameter is None:
            continue
        # Every other path parameter must be one the create's own path already had.
        if set(_PARAM.findall(other_path)) - {parameter} - set(_PARAM.findall(path)):
            continue
        for method in _METHODS:
            operation_id = item.get(method, {}).get("operationId")
            if operation_id:
                found.append((operation_id, other_path, parameter, _takes_if_match(item[method])))
    return found


def add_links(document: dict[str, Any]) -> dict[str, Any]:
    """Add ``links`` to the ``201`` responses of ``document`` (an OpenAPI dict), in place; returns it."""
    schemas = document.get("components", {}).get("schemas", {})
    for path, item in document.get("paths", {}).items():
        create = item.get("post")
        if not create:
            continue
        schema = _created_schema(create, schemas)
        if schema is None:
            continue
        response = create["responses"]["201"]
        links: dict[str, Any] = {}
        for operation_id, target_path, parameter, if_match in _targets(document, path, schema):
            parameters = {parameter: "$response.body#/id"}
            # The target's other path parameters are the create's own: passed on as they were.
            parameters |= {p: f"$request.path.{p}" for p in _PARAM.findall(target_path) if p != parameter}
            if if_match:
                parameters["header.If-Match"] = "$response.header.ETag"
            links[operation_id] = {"operationId": operation_id, "parameters": parameters}
        links |= response.get("links", {})  # what the route declared itself wins
        if links:
            response["links"] = links
    return document

"""Cursor pagination: ``limit`` (default 50, max 200) and an opaque ``cursor`` (keyset, not offset)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from bson import json_util
from pydantic import BaseModel
from pymongo.asynchronous.collection import AsyncCollection

from hub_common.errors import ProblemError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class InvalidCursor(ProblemError):
    status, title, type_slug = 400, "Invalid cursor", "invalid-cursor"


_JSON_OPTIONS = json_util.RELAXED_JSON_OPTIONS.with_options(tz_aware=True)


def encode_cursor(values: Sequence[Any]) -> str:
    return (
        base64.urlsafe_b64encode(json_util.dumps(list(values), json_options=_JSON_OPTIONS).encode())
        .decode()
        .rstrip("=")
    )


def decode_cursor(cursor: str, expected_length: int) -> list[Any]:
    try:
        values = json_util.loads(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)), json_options=_JSON_OPTIONS
        )
    except Exception:
        raise InvalidCursor("the cursor is not one this service issued; start again without it") from None
    if not isinstance(values, list) or len(values) != expected_length:
        raise InvalidCursor("the cursor does not fit this list; start again without it")
    return values


def _after(sort: Sequence[tuple[str, int]], values: Sequence[Any]) -> dict[str, Any]:
    """The keyset condition 'comes after values' for a compound sort."""
    branches = []
    for i, (field, direction) in enumerate(sort):
        branch = {f: v for (f, _), v in zip(sort[:i], values[:i], strict=True)}
        branch[field] = {"$gt" if direction > 0 else "$lt": values[i]}
        branches.append(branch)
    return {"$or": branches}


async def find_page(
    collection: AsyncCollection,
    query: dict[str, Any],
    *,
    sort: Sequence[tuple[str, int]],
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
    projection: dict[str, Any] | None = None,
    hint: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of documents in ``sort`` order (which must end with a unique field, e.g. ``_id``).

    ``hint`` names the index to use, for servers whose planner would otherwise pick a scan.
    """
    if sort[-1][0] != "_id":
        sort = [*sort, ("_id", 1)]
    limit = max(1, min(limit, MAX_LIMIT))
    if cursor:
        query = {"$and": [query, _after(sort, decode_cursor(cursor, len(sort)))]}
    found = collection.find(query, projection).sort(list(sort))
    if hint:
        found = found.hint(hint)
    docs = await found.limit(limit + 1).to_list()
    if len(docs) <= limit:
        return docs, None
    docs = docs[:limit]
    last = docs[-1]
    return docs, encode_cursor([_dotted(last, field) for field, _ in sort])


def _dotted(doc: dict[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value

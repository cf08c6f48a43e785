"""Cursor pagination: ``limit`` (default 50, max 200) and an opaque ``cursor`` (keyset, not offset)."""

from __future__ import annotations

import base64
import itertools
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


def _from(query: dict[str, Any], field: str, direction: int, value: Any, *, inclusive: bool) -> dict[str, Any] | None:
    """``query`` narrowed to ``field`` at or beyond ``value``, or None when it already bounds that field."""
    if field in query or any(key.startswith("$") for key in query):
        return None
    operator = ("$gte" if inclusive else "$gt") if direction > 0 else ("$lte" if inclusive else "$lt")
    return {**query, field: {operator: value}}


def _ahead_of(doc: dict[str, Any], sort: Sequence[tuple[str, int]], values: Sequence[Any]) -> bool:
    """Whether ``doc`` ties the cursor on the first sort field and sits at or before it on ``_id``."""
    (field, _), (_, id_direction) = sort
    if _dotted(doc, field) != values[0]:
        return False
    return doc["_id"] <= values[1] if id_direction > 0 else doc["_id"] >= values[1]


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

    A later page of a list sorted by one field (then ``_id``) asks for a plain range on that field
    and drops, here, the few documents that tie the cursor: a single index range serves it on every
    planner, where the general ``$or`` keyset made some (SecantusDB's) scan the collection.
    ``hint`` names the index to use, for servers whose planner would otherwise pick a scan.
    """
    if sort[-1][0] != "_id":
        sort = [*sort, ("_id", 1)]
    limit = max(1, min(limit, MAX_LIMIT))
    values = decode_cursor(cursor, len(sort)) if cursor else None
    skip_ties = False
    if values is not None:
        ranged = _from(query, *sort[0], values[0], inclusive=len(sort) == 2) if len(sort) <= 2 else None
        query = ranged if ranged is not None else {"$and": [query, _after(sort, values)]}
        skip_ties = ranged is not None and len(sort) == 2
    fetch = limit + 1
    while True:
        found = collection.find(query, projection).sort(list(sort))
        if hint:
            found = found.hint(hint)
        fetched = await found.limit(fetch).to_list()
        docs = fetched
        if skip_ties:
            docs = list(itertools.dropwhile(lambda doc: _ahead_of(doc, sort, values), fetched))
        if len(docs) > limit or len(fetched) < fetch:
            break
        fetch *= 4  # the page was eaten by documents tied with the cursor: read further
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

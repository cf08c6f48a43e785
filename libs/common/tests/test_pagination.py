"""Keyset pages on the real database: every document exactly once, in order, whatever the ties."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import ASCENDING, DESCENDING

from hub_common.pagination import find_page
from hub_volunteers.__main__ import DEFINITION

START = datetime(2026, 1, 1, tzinfo=UTC)


def _documents() -> list[dict]:
    """Timestamps with long runs of ties (a bulk import stamps many at one instant), two kinds."""
    rng = random.Random(7)
    docs = []
    for i in range(230):
        docs.append(
            {
                "_id": f"d{rng.randrange(10**6):06d}-{i}",
                "at": START + timedelta(seconds=rng.choice([0, 0, 0, 1, 2, 3, 5, 8, 13])),
                "kind": rng.choice(["a", "b"]),
                "name": rng.choice(["Ash", "Birch", "Cedar"]),
            }
        )
    return docs


def _expected(docs: list[dict], sort: list[tuple[str, int]], kind: str | None) -> list[str]:
    chosen = [d for d in docs if kind is None or d["kind"] == kind]
    for field, direction in reversed(sort):  # a stable sort per key, last key first
        chosen.sort(key=lambda d: d[field], reverse=direction < 0)
    return [d["_id"] for d in chosen]


async def _all_pages(collection, query, sort, limit) -> tuple[list[str], int]:
    seen, cursor, pages = [], None, 0
    while True:
        docs, cursor = await find_page(collection, dict(query), sort=sort, limit=limit, cursor=cursor)
        seen += [d["_id"] for d in docs]
        pages += 1
        if cursor is None:
            return seen, pages


@pytest.mark.parametrize(
    "sort",
    [
        [("at", DESCENDING), ("_id", DESCENDING)],
        [("at", ASCENDING), ("_id", ASCENDING)],
        [("at", DESCENDING), ("_id", ASCENDING)],
        [("at", ASCENDING)],
        [("_id", ASCENDING)],
        [("name", ASCENDING), ("at", DESCENDING), ("_id", ASCENDING)],
    ],
    ids=str,
)
@pytest.mark.parametrize("kind", [None, "a"])
@pytest.mark.parametrize("limit", [1, 7, 50])
async def test_pages_list_every_document_once_in_order(service_context, sort, kind, limit) -> None:
    ctx = await service_context(DEFINITION)
    docs = _documents()
    collection = ctx.db[f"paged_{abs(hash((str(sort), kind, limit)))}"]
    await collection.insert_many([dict(d) for d in docs])
    query = {"kind": kind} if kind else {}

    seen, pages = await _all_pages(collection, query, sort, limit)

    assert seen == _expected(docs, sort if sort[-1][0] == "_id" else [*sort, ("_id", 1)], kind)
    assert pages == max(1, -(-len(seen) // limit))  # no empty trailing page


async def test_a_page_after_a_run_of_ties_longer_than_the_page_still_moves_on(service_context) -> None:
    """200 documents at one instant then one older: pages of 3 walk through the run and reach it."""
    ctx = await service_context(DEFINITION)
    collection = ctx.db["tied"]
    await collection.insert_many([{"_id": f"t{i:03d}", "at": START} for i in range(200)])
    await collection.insert_one({"_id": "older", "at": START - timedelta(days=1)})
    sort = [("at", DESCENDING), ("_id", ASCENDING)]

    seen, _ = await _all_pages(collection, {}, sort, 3)

    assert seen == [f"t{i:03d}" for i in range(200)] + ["older"]


async def test_a_later_page_is_one_index_range_not_a_scan(service_context) -> None:
    """The cursor becomes a plain range on the sort field, so the planner keeps the index."""
    ctx = await service_context(DEFINITION)
    collection = ctx.db["ranged"]
    await collection.create_index([("kind", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)], name="kind_at")
    await collection.insert_many([dict(d) for d in _documents()])
    sort = [("at", DESCENDING), ("_id", DESCENDING)]
    commands: list[dict] = []

    _, cursor = await find_page(collection, {"kind": "a"}, sort=sort, limit=10)
    original_find = collection.find

    def recording_find(query, *args, **kwargs):
        commands.append(query)
        return original_find(query, *args, **kwargs)

    collection.find = recording_find  # type: ignore[method-assign]
    await find_page(collection, {"kind": "a"}, sort=sort, limit=10, cursor=cursor)

    query = commands[0]  # (a page eaten by ties reads on with the same query)
    assert all(set(q) == {"kind", "at"} for q in commands)  # no $or / $and for a planner to give up on
    explained = await ctx.db.command("explain", {"find": "ranged", "filter": query, "sort": dict(sort), "limit": 11})
    assert "COLLSCAN" not in str(explained["queryPlanner"]["winningPlan"])

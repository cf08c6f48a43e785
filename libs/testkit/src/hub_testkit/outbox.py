"""A service's outbox as events, for tests: its records hold a transaction's events each."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from hub_common.uow import OUTBOX


async def outbox_events(db: AsyncDatabase, query: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The events in a service's outbox that match ``query`` (a MongoDB filter on an event's fields,
    ``status`` being its record's), in the order the relay publishes them."""
    pipeline: list[dict[str, Any]] = [
        {"$sort": {"created_at": 1, "seq": 1}},
        {"$unwind": "$events"},
        {"$replaceRoot": {"newRoot": {"$mergeObjects": ["$events", {"status": "$status"}]}}},
    ]
    if query:
        pipeline.append({"$match": query})
    return [event async for event in await db[OUTBOX].aggregate(pipeline)]


async def count_outbox_events(db: AsyncDatabase, query: dict[str, Any] | None = None) -> int:
    return len(await outbox_events(db, query))

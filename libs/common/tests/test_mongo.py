"""Index bootstrap at start-up, on the real database."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from hub_common.mongo import IndexSpec, ensure_indexes
from hub_volunteers.__main__ import DEFINITION


async def test_starting_a_service_twice_keeps_its_indexes(service_context) -> None:
    """A restart re-runs index creation; it must not fail on indexes it made the first time."""
    ctx = await service_context(DEFINITION)
    specs = [
        IndexSpec(
            "places", (IndexModel([("where", "2dsphere")]), IndexModel([("kind", ASCENDING), ("_id", ASCENDING)]))
        )
    ]
    await ensure_indexes(ctx.db, specs)
    await ensure_indexes(ctx.db, specs)
    await ctx.start()
    await ctx.start()
    names = {ix["name"] async for ix in await ctx.db["places"].list_indexes()}
    assert {"where_2dsphere", "kind_1__id_1"} <= names

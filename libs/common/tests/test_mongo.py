"""Index bootstrap at start-up, on the real database."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from pymongo import ASCENDING, IndexModel
from pymongo.errors import OperationFailure, PyMongoError

from hub_common.mongo import IndexSpec, create_client, database, ensure_indexes, is_transient_mongo_error
from hub_common.uow import UnitOfWork
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


async def test_replicas_starting_together_both_create_the_same_indexes(service_context) -> None:
    """compose --scale starts replicas at once: the one that loses the race to create an index must
    not fail its start-up (before, a replica exited with IndexKeySpecsConflict)."""
    ctx = await service_context(DEFINITION)
    specs = [
        IndexSpec(
            f"raced_{n}",
            (
                IndexModel([("where", "2dsphere"), ("kind", ASCENDING)], name="near"),
                IndexModel([("kind", ASCENDING), ("_id", ASCENDING)]),
            ),
        )
        for n in range(5)
    ]
    await asyncio.gather(*(ensure_indexes(ctx.db, specs) for _ in range(3)))
    for spec in specs:
        names = {ix["name"] async for ix in await ctx.db[spec.collection].list_indexes()}
        assert {"near", "kind_1__id_1"} <= names
    clash = [IndexSpec("raced_0", (IndexModel([("other", ASCENDING)], name="near"),))]
    with pytest.raises(OperationFailure):  # the same name for other keys is still refused
        await ensure_indexes(ctx.db, clash)


async def test_a_transaction_caught_by_a_database_outage_gives_up_within_its_time_limit() -> None:
    """Without the limit the driver keeps retrying a transaction for 120 s; an API request hangs that long."""
    with socket.socket() as sock:  # a database address nothing answers on, as while it restarts
        sock.bind(("127.0.0.1", 0))
        unreachable = sock.getsockname()[1]
    client = create_client(f"mongodb://127.0.0.1:{unreachable}", app_name="hub-test")
    uow = UnitOfWork(database(client, "t_unreachable"), "/hub/volunteers", timeout_s=1.0)

    async def write(tx) -> None:
        await tx.collection("things").insert_one({"n": 1}, session=tx.session)

    started = time.monotonic()
    with pytest.raises(PyMongoError) as failure:
        await uow.run(write)
    assert time.monotonic() - started < 4  # not the driver's 5 s server selection, let alone 120 s
    assert is_transient_mongo_error(failure.value)  # so the API answers 503 with Retry-After
    await client.close()

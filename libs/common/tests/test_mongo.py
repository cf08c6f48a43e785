"""Index bootstrap at start-up, on the real database."""

from __future__ import annotations

import socket
import time

import pytest
from pymongo import ASCENDING, IndexModel
from pymongo.errors import PyMongoError

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

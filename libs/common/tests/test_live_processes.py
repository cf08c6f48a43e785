"""A process killed inside a transaction: the processes still running abort it within seconds
instead of waiting out the server's 60 s transaction lifetime. Real database, a real killed process."""

from __future__ import annotations

import asyncio
import signal
import sys
import time

import pytest
from pymongo.errors import PyMongoError

from hub_common.live_processes import LIVE_PROCESSES, LiveProcesses, transaction_session
from hub_volunteers.__main__ import DEFINITION

# A process that leaves a transaction open on one document and then hangs until it is killed.
_DYING = """
import asyncio, sys
from hub_common import mongo
from hub_common.live_processes import LiveProcesses, transaction_session

async def main(uri, name):
    client = mongo.create_client(uri, "dying")
    db = mongo.database(client, name)
    await LiveProcesses(db, service="dying", beat_s=0.5, stale_after_s=2).start()
    async with transaction_session(client) as session:
        await session.start_transaction()
        await db["held"].insert_one({"_id": "taken-over", "by": "the dead"}, session=session)
        print("holding", flush=True)
        await asyncio.sleep(3600)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""

# The server's own limit: without the lease, the survivor's write waits this long.
SERVER_TRANSACTION_LIFETIME_S = 60


async def test_a_killed_process_s_open_transaction_is_aborted_for_the_one_taking_over(service_context) -> None:
    ctx = await service_context(DEFINITION, process_lease_beat_s=0.5, process_stale_after_s=2)
    dying = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _DYING, ctx.settings.mongo_uri, ctx.settings.mongo_db, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert await asyncio.wait_for(dying.stdout.readline(), 60) == b"holding\n"
        assert await ctx.db[LIVE_PROCESSES].count_documents({"service": "dying", "sessions": {"$ne": {}}}) == 1
    finally:
        dying.send_signal(signal.SIGKILL)  # no clean shutdown: the transaction stays open on the server
        await dying.wait()

    async def take_over(tx) -> None:
        await tx.collection("held").insert_one({"_id": "taken-over", "by": "the survivor"}, session=tx.session)

    killed = time.monotonic()
    while True:  # each try gives up after the unit of work's timeout while the dead one holds the document
        try:
            await ctx.uow.run(take_over)
            break
        except PyMongoError:
            assert time.monotonic() - killed < SERVER_TRANSACTION_LIFETIME_S / 2, "the dead one's transaction stayed"
    waited = time.monotonic() - killed
    assert waited < SERVER_TRANSACTION_LIFETIME_S / 2
    assert await ctx.db["held"].find_one({"_id": "taken-over"}) == {"_id": "taken-over", "by": "the survivor"}
    assert await ctx.db[LIVE_PROCESSES].count_documents({"service": "dying"}) == 0


async def test_a_process_only_stalled_gets_its_lease_back_and_its_next_transaction_commits(service_context) -> None:
    ctx = await service_context(DEFINITION)
    stalled = LiveProcesses(ctx.db, service="stalled", beat_s=30, stale_after_s=60)
    await stalled.start()
    try:
        async with transaction_session(ctx.client) as session:
            lsid = bytes(session.session_id["id"]).hex()
        lease = await ctx.db[LIVE_PROCESSES].find_one({"_id": stalled.process_id})
        assert lsid in lease["sessions"]

        # Its beat late past the survivor's patience: the survivor takes it for dead.
        await ctx.db[LIVE_PROCESSES].update_one(
            {"_id": stalled.process_id}, {"$set": {"renewed_at": lease["renewed_at"].replace(year=2000)}}
        )
        assert await ctx.live.clear_dead() == 1
        assert await ctx.db[LIVE_PROCESSES].find_one({"_id": stalled.process_id}) is None
        assert await ctx.live.clear_dead() == 0

        await stalled._beat()  # the next beat puts the whole lease back
        assert lsid in (await ctx.db[LIVE_PROCESSES].find_one({"_id": stalled.process_id}))["sessions"]

        async def write(tx) -> None:
            await tx.collection("after_stall").insert_one({"_id": 1}, session=tx.session)

        await ctx.uow.run(write)
        assert await ctx.db["after_stall"].count_documents({}) == 1
    finally:
        await stalled.close()
    assert await ctx.db[LIVE_PROCESSES].find_one({"_id": stalled.process_id}) is None


async def test_a_lease_must_outlive_its_beat(service_context) -> None:
    ctx = await service_context(DEFINITION)
    with pytest.raises(ValueError, match="outlive"):
        LiveProcesses(ctx.db, service="x", beat_s=2, stale_after_s=2)

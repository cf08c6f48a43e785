"""A loop woken by inserts, on the real database's change streams."""

from __future__ import annotations

import asyncio
import time

from hub_common.wake import InsertWake
from hub_volunteers.__main__ import DEFINITION


async def test_an_insert_wakes_the_waiting_loop_long_before_its_poll_interval(service_context) -> None:
    ctx = await service_context(DEFINITION)
    stop = asyncio.Event()
    wake = InsertWake(ctx.db["wake_probe"], poll_interval_s=60)
    async with wake.watching(stop):
        # The stream opens in the background: insert until a first wake-up shows it is watching.
        opened = asyncio.create_task(wake.wait(stop))
        deadline = time.monotonic() + 30
        while not opened.done():
            assert time.monotonic() < deadline, "the change stream never woke the loop"
            await ctx.db["wake_probe"].insert_one({"opening": True})
            await asyncio.wait({opened}, timeout=0.2)
        for n in range(3):  # each wait ends with the next insert, not with the minute's poll
            wake.clear()
            waiting = asyncio.create_task(wake.wait(stop))
            started = time.monotonic()
            await ctx.db["wake_probe"].insert_one({"n": n, "payload": "x" * 10_000})
            await asyncio.wait_for(waiting, 30)
            assert time.monotonic() - started < 30
    stop.set()


async def test_wakes_on_two_collections_share_one_stream_and_each_wakes_only_for_its_own(service_context) -> None:
    ctx = await service_context(DEFINITION)
    stop = asyncio.Event()
    messages = InsertWake(ctx.db["wake_messages"], poll_interval_s=60)
    outbox = InsertWake(ctx.db["wake_outbox"], poll_interval_s=60)
    async with messages.watching(stop), outbox.watching(stop):
        assert len(_streams(ctx)) == 1  # the second collection reopened the one stream
        opened = asyncio.create_task(messages.wait(stop))
        deadline = time.monotonic() + 30
        while not opened.done():  # the stream opens in the background
            assert time.monotonic() < deadline, "the change stream never woke the loop"
            await ctx.db["wake_messages"].insert_one({"opening": True})
            await asyncio.wait({opened}, timeout=0.2)
        messages.clear()
        outbox.clear()
        waiting = asyncio.create_task(outbox.wait(stop))
        await ctx.db["wake_outbox"].insert_one({"event": 1})
        await asyncio.wait_for(waiting, 30)
        assert not messages._event.is_set()  # an insert elsewhere in the database woke only its own loop
        waiting = asyncio.create_task(messages.wait(stop))
        await ctx.db["wake_messages"].insert_one({"message": 1})
        await asyncio.wait_for(waiting, 30)
    assert not _streams(ctx)
    stop.set()


def _streams(ctx) -> list[asyncio.Task]:
    """The database's watching tasks still running (not finishing a cancellation)."""
    name = f"watch-{ctx.db.name}"
    return [t for t in asyncio.all_tasks() if t.get_name() == name and not t.done() and not t.cancelling()]

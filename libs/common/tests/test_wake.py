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

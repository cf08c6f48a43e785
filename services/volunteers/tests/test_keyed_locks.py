"""The per-shift lock of one replica: queues same-key work, lets other keys run, leaves nothing behind."""

from __future__ import annotations

import asyncio

from hub_volunteers.service.locks import KeyedLocks


async def test_same_key_runs_one_at_a_time_other_keys_run_alongside() -> None:
    locks = KeyedLocks()
    running: dict[str, int] = {"a": 0, "b": 0}
    peak: dict[str, int] = {"a": 0, "b": 0, "all": 0}

    async def work(key: str) -> None:
        async with locks.hold(key):
            running[key] += 1
            peak[key] = max(peak[key], running[key])
            peak["all"] = max(peak["all"], running["a"] + running["b"])
            await asyncio.sleep(0.01)
            running[key] -= 1

    await asyncio.gather(*(work("a") for _ in range(5)), *(work("b") for _ in range(5)))

    assert peak == {"a": 1, "b": 1, "all": 2}  # one per key at a time, the two keys side by side
    assert locks._locks == {}

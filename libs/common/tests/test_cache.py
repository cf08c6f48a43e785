import asyncio

import pytest

from hub_common.cache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Loader:
    def __init__(self) -> None:
        self.calls = 0
        self.gate: asyncio.Event | None = None

    async def __call__(self) -> int:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        return self.calls


async def test_a_value_is_kept_for_ttl_then_loaded_again() -> None:
    clock, load = Clock(), Loader()
    cache: TtlCache[str, int] = TtlCache(5.0, clock=clock)
    assert await cache.get("k", load) == 1
    clock.now = 4.9
    assert await cache.get("k", load) == 1
    clock.now = 5.0
    assert await cache.get("k", load) == 2


async def test_concurrent_misses_share_one_load() -> None:
    load = Loader()
    load.gate = asyncio.Event()
    cache: TtlCache[str, int] = TtlCache(5.0)
    waiting = [asyncio.create_task(cache.get("k", load)) for _ in range(10)]
    await asyncio.sleep(0)
    load.gate.set()
    assert await asyncio.gather(*waiting) == [1] * 10
    assert load.calls == 1


async def test_invalidate_forgets_and_a_load_racing_it_is_not_kept() -> None:
    load = Loader()
    cache: TtlCache[str, int] = TtlCache(5.0)
    assert await cache.get("k", load) == 1
    cache.invalidate("k")
    load.gate = asyncio.Event()
    racing = asyncio.create_task(cache.get("k", load))
    await asyncio.sleep(0)
    cache.invalidate()  # a write lands while the load is in flight
    load.gate.set()
    assert await racing == 2
    load.gate = None
    assert await cache.get("k", load) == 3


async def test_a_failed_load_is_not_cached_and_reaches_every_waiter() -> None:
    cache: TtlCache[str, int] = TtlCache(5.0)
    gate = asyncio.Event()

    async def failing() -> int:
        await gate.wait()
        raise RuntimeError("database down")

    first = asyncio.create_task(cache.get("k", failing))
    await asyncio.sleep(0)
    second = asyncio.create_task(cache.get("k", failing))
    await asyncio.sleep(0)
    gate.set()
    for task in (first, second):
        with pytest.raises(RuntimeError):
            await task
    assert await cache.get("k", Loader()) == 1


async def test_ttl_zero_always_loads() -> None:
    load = Loader()
    cache: TtlCache[str, int] = TtlCache(0)
    assert [await cache.get("k", load) for _ in range(3)] == [1, 2, 3]

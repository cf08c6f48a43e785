"""A small read-through cache for reference data that changes rarely (hubs, catalogues).

Every API replica keeps its own copy, so a change made through another replica is seen here
within ``ttl_s`` at most; the replica that made the change calls :meth:`TtlCache.invalidate`.
Concurrent misses for one key share a single load, so an expiry never stampedes the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(self, ttl_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[K, tuple[float, V]] = {}
        self._loading: dict[K, asyncio.Future[V]] = {}
        self._invalidations = 0

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        if self.ttl_s <= 0:
            return await load()
        entry = self._entries.get(key)
        if entry is not None and self._clock() < entry[0]:
            return entry[1]
        pending = self._loading.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        invalidations = self._invalidations
        try:
            value = await load()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # mark it retrieved: only callers waiting on it re-raise it
            raise
        finally:
            if self._loading.get(key) is future:
                del self._loading[key]
        future.set_result(value)
        # A change made while we were loading may not be in this value: don't keep it.
        if invalidations == self._invalidations:
            self._entries[key] = (self._clock() + self.ttl_s, value)
        return value

    def invalidate(self, key: K | None = None) -> None:
        """Forget one key (or everything): the next get() loads it again."""
        if key is None:
            self._entries.clear()
            self._loading.clear()
        else:
            self._entries.pop(key, None)
            self._loading.pop(key, None)
        self._invalidations += 1

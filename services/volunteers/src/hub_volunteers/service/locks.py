"""Per-key locks inside one replica (used for hot shifts)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class KeyedLocks:
    """One asyncio lock per key (e.g. per shift), dropped when nobody holds or waits for it.

    Only an optimisation for hot shifts: sign-ups to one shift queue inside this replica
    instead of all racing and retrying on write conflicts. Correctness never depends on it: the
    transaction's conditional update is what keeps confirmed places within capacity across replicas.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

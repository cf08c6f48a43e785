"""Wake a polling loop as soon as a document is inserted into a collection.

A change stream (one per database and process, shared by all its wakes) sets the wake-up; polling
every ``poll_interval_s`` covers any gap (the stream reconnecting, a document that became due by
time alone). Used by the outbox relay and by delivery loops (notifications' messages and webhooks),
so work that is committed now is picked up now rather than on the next tick.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from hub_common.logging import get_logger

log = get_logger(__name__)

# After a wake-up, wait this long so a burst of commits is handled as one batch.
WAKE_LINGER_S = 0.005


async def sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    """Sleep for ``seconds``, or less if ``stop`` is set meanwhile (a worker's retry pause)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


class InsertWake:
    def __init__(
        self, collection: AsyncCollection, *, poll_interval_s: float, only: Mapping[str, Any] | None = None
    ) -> None:
        """``only``: wake for inserted documents matching these fields alone (e.g. messages inserted
        due, not those settled or claimed as they were written); every insert when None."""
        self.collection = collection
        self.poll_interval_s = poll_interval_s
        self.only = dict(only) if only else None
        self._event = asyncio.Event()

    def clear(self) -> None:
        """Call before reading the collection: an insert committed after the read wakes the next wait."""
        self._event.clear()

    def inserted(self) -> None:
        self._event.set()

    async def wait(self, stop: asyncio.Event) -> None:
        """Until an insert, ``stop``, or the poll interval, whichever comes first."""
        waiters = [asyncio.ensure_future(self._event.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=self.poll_interval_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        if self._event.is_set():
            await asyncio.sleep(WAKE_LINGER_S)

    @contextlib.asynccontextmanager
    async def watching(self, stop: asyncio.Event) -> AsyncIterator[InsertWake]:
        """Watch the collection for as long as the block runs (``stop`` ends the loop, not the watch)."""
        inserts = _DatabaseInserts.of(self.collection.database)
        inserts.add(self)
        try:
            yield self
        finally:
            await inserts.remove(self)


class _DatabaseInserts:
    """One change stream per database and process for all its InsertWakes. Each stream makes the
    server walk the whole oplog again; a notifications worker watched three collections (outbox,
    messages, webhook deliveries), and its store spent a tenth of its time reading the oplog for
    the streams of two workers. The stream is opened again when a collection joins (at start-up)."""

    _open: dict[tuple[int, str], _DatabaseInserts] = {}

    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db
        self._wakes: dict[str, set[InsertWake]] = {}
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, db: AsyncDatabase) -> _DatabaseInserts:
        key = (id(db.client), db.name)
        if key not in cls._open:
            cls._open[key] = cls(db)
        return cls._open[key]

    def add(self, wake: InsertWake) -> None:
        name = wake.collection.name
        joins = name not in self._wakes
        before = self._inserts_of(name)
        self._wakes.setdefault(name, set()).add(wake)
        if joins or self._task is None or self._inserts_of(name) != before:
            self._restart()

    async def remove(self, wake: InsertWake) -> None:
        name = wake.collection.name
        self._wakes.get(name, set()).discard(wake)
        if not self._wakes.get(name):
            self._wakes.pop(name, None)
        if not self._wakes:
            self._open.pop((id(self.db.client), self.db.name), None)
            task, self._task = self._task, None
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def _restart(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._task = asyncio.create_task(self._watch(sorted(self._wakes)), name=f"watch-{self.db.name}")

    def _inserts_of(self, collection: str) -> dict[str, Any]:
        """The change events of ``collection`` its wakes want: only those matching ``only``, if each of
        them asks for the same (the wake-ups the server need not send then are not sent at all)."""
        onlys = {repr(w.only): w.only for w in self._wakes.get(collection, ())}
        only = next(iter(onlys.values())) if len(onlys) == 1 else None
        return {"ns.coll": collection, **{f"fullDocument.{k}": v for k, v in (only or {}).items()}}

    async def _watch(self, collections: list[str]) -> None:
        # Only which collection had an insert matters: without the projection every inserted
        # document would travel to every worker (a burst of planned messages, to each of them).
        pipeline = [
            {"$match": {"operationType": "insert", "$or": [self._inserts_of(c) for c in collections]}},
            {"$project": {"ns.coll": 1}},
        ]
        while True:
            try:
                async with await self.db.watch(pipeline) as stream:
                    async for change in stream:
                        for wake in list(self._wakes.get(change["ns"]["coll"], ())):
                            wake.inserted()
            except PyMongoError as exc:
                log.debug("change stream interrupted; polling meanwhile", database=self.db.name, error=repr(exc))
                await asyncio.sleep(1.0)


def insert_driven_loop(
    name: str,
    collection: AsyncCollection,
    work: Callable[[], Awaitable[int]],
    *,
    batch: int,
    poll_interval_s: float = 1.0,
    max_backoff_s: float = 10.0,
    wake: InsertWake | None = None,
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """A worker loop that runs ``work`` (which returns how many items it handled, at most ``batch``)
    again at once after a full batch, and otherwise as soon as something is inserted into
    ``collection`` (or after ``poll_interval_s``, for items that become due by time). Every worker
    replica runs it: ``work`` must claim its items atomically. ``wake``: one made by the caller, who
    can then also wake the loop itself (``wake.inserted()``) or narrow which inserts wake it."""
    made = wake or InsertWake(collection, poll_interval_s=poll_interval_s)

    async def loop(stop: asyncio.Event) -> None:
        wake = made
        backoff = 0.5
        async with wake.watching(stop):
            while not stop.is_set():
                wake.clear()
                try:
                    handled = await work()
                    backoff = 0.5
                except PyMongoError as exc:
                    log.warning("cannot reach the database; will retry", loop=name, error=repr(exc), retry_in_s=backoff)
                    await sleep_unless(stop, backoff)
                    backoff = min(backoff * 2, max_backoff_s)
                    continue
                if handled < batch:
                    await wake.wait(stop)

    loop.__name__ = name
    return loop

"""Wake a polling loop as soon as a document is inserted into a collection.

A change stream on the collection sets the wake-up; polling every ``poll_interval_s`` covers any
gap (the stream reconnecting, a document that became due by time alone). Used by the outbox relay
and by delivery loops (notifications' messages and webhooks), so work that is committed now is
picked up now rather than on the next tick.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from pymongo.asynchronous.collection import AsyncCollection
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
    def __init__(self, collection: AsyncCollection, *, poll_interval_s: float) -> None:
        self.collection = collection
        self.poll_interval_s = poll_interval_s
        self._event = asyncio.Event()

    def clear(self) -> None:
        """Call before reading the collection: an insert committed after the read wakes the next wait."""
        self._event.clear()

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
        """Watch the collection for as long as the block runs."""
        watcher = asyncio.create_task(self._watch(stop), name=f"watch-{self.collection.name}")
        try:
            yield self
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                # Only that something was inserted matters: without the projection every inserted
                # document travels to every watcher (a burst of planned messages, to each worker).
                pipeline = [{"$match": {"operationType": "insert"}}, {"$project": {"operationType": 1}}]
                async with await self.collection.watch(pipeline) as stream:
                    async for _change in stream:
                        self._event.set()
            except PyMongoError as exc:
                log.debug(
                    "change stream interrupted; polling meanwhile", collection=self.collection.name, error=repr(exc)
                )
                await sleep_unless(stop, 1.0)


def insert_driven_loop(
    name: str,
    collection: AsyncCollection,
    work: Callable[[], Awaitable[int]],
    *,
    batch: int,
    poll_interval_s: float = 1.0,
    max_backoff_s: float = 10.0,
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """A worker loop that runs ``work`` (which returns how many items it handled, at most ``batch``)
    again at once after a full batch, and otherwise as soon as something is inserted into
    ``collection`` (or after ``poll_interval_s``, for items that become due by time). Every worker
    replica runs it: ``work`` must claim its items atomically."""

    async def loop(stop: asyncio.Event) -> None:
        wake = InsertWake(collection, poll_interval_s=poll_interval_s)
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

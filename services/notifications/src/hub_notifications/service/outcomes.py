"""Group commit: attempts are recorded as they finish, many per transaction, while the others still send."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    """Collects finished items and writes them with ``write(group)``: whatever finished while the
    previous group was being written goes in the next one. Sends do not wait for each other's records
    (one transaction per message was the delivery's largest cost), and a crash leaves unrecorded only
    what was in flight or in the group being written (sent again after the lease, same Message-ID).

        async with GroupCommit(write) as outcomes:
            ...  outcomes.add(item)  ...
        # every item added is written here, or the write's error is raised
    """

    def __init__(self, write: Callable[[list[T]], Awaitable[None]]) -> None:
        self._write = write
        self._pending: list[T] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    def add(self, item: T) -> None:
        self._pending.append(item)
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                group, self._pending = self._pending, []
                await self._write(group)
            if self._closing:
                return

    async def __aenter__(self) -> GroupCommit[T]:
        self._task = asyncio.create_task(self._run(), name="group-commit")
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._task is not None
        # Whatever finished is written, even when the block failed (it was sent); then its error goes on.
        self._closing = True
        self._wake.set()
        await self._task

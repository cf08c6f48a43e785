"""Periodic tasks in the worker (overdue detection, reminders, expiry warnings).

Each run slot is claimed in MongoDB before the task runs, so however many workers a service
scales to, a task runs once per interval. A task must still be idempotent (it may run again after
a crash mid-run): do its work through the unit of work, keyed by what it acts on.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from hub_common.logging import get_logger
from hub_common.wake import sleep_unless

log = get_logger(__name__)

SCHEDULES = "schedules"


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    interval_s: float
    run: Callable[[], Awaitable[object]]


class Scheduler:
    def __init__(self, db: AsyncDatabase, tasks: Sequence[PeriodicTask], *, tick_s: float = 1.0) -> None:
        self.db = db
        self.tasks = list(tasks)
        self.tick_s = tick_s
        self.owner = socket.gethostname()
        self._not_before: dict[str, datetime] = {}  # per task: its slot is not due before this

    async def claim(self, task: PeriodicTask) -> bool:
        """Take the current run slot of ``task`` if it is due; False if not due or taken.

        The database is asked only once the slot this worker last saw is due: a refused claim is an
        upsert failing on a duplicate key, and every worker asking every tick for a task due once a
        minute was a steady load on the store while it was busiest (seen in a burst's profile)."""
        now = datetime.now(UTC)
        if now < self._not_before.get(task.name, now):
            return False
        try:
            doc = await self.db[SCHEDULES].find_one_and_update(
                {"_id": task.name, "next_run_at": {"$lte": now}},
                {"$set": {"next_run_at": now + timedelta(seconds=task.interval_s), "claimed_by": self.owner}},
                upsert=True,
            )
        except DuplicateKeyError:
            # The slot exists and is not due yet (or another worker just took it): ask again then.
            slot = await self.db[SCHEDULES].find_one({"_id": task.name}, {"next_run_at": 1})
            if slot is not None:
                self._not_before[task.name] = slot["next_run_at"]
            return False
        self._not_before[task.name] = now + timedelta(seconds=task.interval_s)
        # The filter only matches a due slot; None means this call created the first one.
        return doc is None or doc["_id"] == task.name

    async def run_due(self) -> list[str]:
        """Run every task whose slot this worker claimed; return their names."""
        ran = []
        for task in self.tasks:
            if not await self.claim(task):
                continue
            try:
                await task.run()
                ran.append(task.name)
            except Exception:
                log.exception("periodic task failed; it runs again next interval", task=task.name)
        return ran

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_due()
            except PyMongoError as exc:
                log.warning("scheduler cannot reach the database; will retry", error=repr(exc))
            await sleep_unless(stop, self.tick_s)

"""Retention schedules: a service's worker removes the personal data it no longer needs, on a
schedule, and records what it removed.

A service declares its rules in its composition root (what kind of data, kept how long, how to
remove what is older); the worker runs them all as one periodic task, once per interval across its
replicas. Each rule's run is recorded in the service's ``retention_runs`` (kind, how long it is
kept, the cutoff, how many removed, when), counted in ``hub_retention_removed_total`` and logged,
so that a council can show its schedule is applied, not only written down. A rule must be
idempotent and work in chunks: a run cut short by a crash is finished by the next one.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.clock import Clock, system_clock
from hub_common.logging import get_logger
from hub_common.metrics import RETENTION_REMOVED
from hub_common.mongo import IndexSpec
from hub_common.scheduler import PeriodicTask

log = get_logger(__name__)

RETENTION_RUNS = "retention_runs"
# The record of what was removed is itself kept for a bounded time: long enough to answer "was the
# schedule applied last year?", and it holds no personal data (kinds and counts only).
RUN_RECORDS_KEPT_S = 400 * 24 * 3600

RETENTION_INDEXES = IndexSpec(
    RETENTION_RUNS,
    (
        IndexModel([("kind", ASCENDING), ("ran_at", DESCENDING)], name="latest_per_kind"),
        IndexModel([("ran_at", ASCENDING)], name="kept", expireAfterSeconds=RUN_RECORDS_KEPT_S),
    ),
)


@dataclass(frozen=True)
class RetentionRule:
    kind: str  # what is removed, as a data protection officer would name it
    keep_for: timedelta
    remove: Callable[[datetime], Awaitable[int]]  # remove what is older than the cutoff; how many
    why: str = ""  # the reason for the period, kept with each run's record


class RetentionSchedule:
    def __init__(
        self, db: AsyncDatabase, service: str, rules: Sequence[RetentionRule], *, clock: Clock = system_clock
    ) -> None:
        self.db = db
        self.service = service
        self.rules = list(rules)
        self.clock = clock

    async def run(self) -> dict[str, int]:
        """Apply every rule now; return how many items each removed."""
        removed: dict[str, int] = {}
        for rule in self.rules:
            now = self.clock()
            cutoff = now - rule.keep_for
            started = time.perf_counter()
            count = await rule.remove(cutoff)
            await self.db[RETENTION_RUNS].insert_one(
                {
                    "_id": uuid.uuid4().hex,
                    "kind": rule.kind,
                    "keep_for_days": rule.keep_for / timedelta(days=1),
                    "why": rule.why,
                    "cutoff": cutoff,
                    "removed": count,
                    "ran_at": now,
                    "took_s": round(time.perf_counter() - started, 3),
                }
            )
            RETENTION_REMOVED.labels(self.service, rule.kind).inc(count)
            log.info("retention applied", kind=rule.kind, cutoff=cutoff.isoformat(), removed=count)
            removed[rule.kind] = count
        return removed

    def task(self, interval_s: float) -> PeriodicTask:
        return PeriodicTask("retention", interval_s=interval_s, run=self.run)

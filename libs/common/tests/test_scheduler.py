"""Periodic tasks: a run slot is claimed once per interval, however many workers compete."""

from __future__ import annotations

import asyncio

from hub_common.scheduler import PeriodicTask, Scheduler
from hub_volunteers.__main__ import DEFINITION


async def test_a_due_task_runs_once_per_interval_across_competing_workers(service_context) -> None:
    ctx = await service_context(DEFINITION)
    runs: list[str] = []

    async def work() -> None:
        runs.append("ran")

    task = PeriodicTask("count-runs", interval_s=30, run=work)
    workers = [Scheduler(ctx.db, [task]) for _ in range(4)]

    first = await asyncio.gather(*(w.run_due() for w in workers))
    assert sum(len(ran) for ran in first) == 1  # four workers, one run
    again = await asyncio.gather(*(w.run_due() for w in workers))
    assert sum(len(ran) for ran in again) == 0  # not due again for 30 s
    assert runs == ["ran"]


async def test_a_task_becomes_due_again_after_its_interval(service_context) -> None:
    ctx = await service_context(DEFINITION)
    runs: list[int] = []

    async def work() -> None:
        runs.append(1)

    scheduler = Scheduler(ctx.db, [PeriodicTask("short", interval_s=0.3, run=work)])
    assert await scheduler.run_due() == ["short"]
    assert await scheduler.run_due() == []
    await asyncio.sleep(0.4)
    assert await scheduler.run_due() == ["short"]
    assert len(runs) == 2


async def test_a_failing_task_does_not_stop_the_others(service_context) -> None:
    ctx = await service_context(DEFINITION)
    done: list[str] = []

    async def broken() -> None:
        raise RuntimeError("bug")

    async def fine() -> None:
        done.append("fine")

    scheduler = Scheduler(ctx.db, [PeriodicTask("broken", 60, broken), PeriodicTask("fine", 60, fine)])
    assert await scheduler.run_due() == ["fine"]
    assert done == ["fine"]

"""Periodic tasks: a run slot is claimed once per interval, however many workers compete."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from pymongo import AsyncMongoClient, monitoring

from hub_assets.__main__ import DEFINITION as ASSETS
from hub_common.scheduler import SCHEDULES, PeriodicTask, Scheduler
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_volunteers.__main__ import DEFINITION
from hub_volunteers.__main__ import DEFINITION as VOLUNTEERS


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


async def test_workers_ask_the_database_for_a_slot_only_once_it_is_due(service_context) -> None:
    ctx = await service_context(DEFINITION)
    claims = _ClaimCounter()
    client = AsyncMongoClient(ctx.settings.mongo_uri, event_listeners=[claims], tz_aware=True)
    try:
        db = client[ctx.settings.mongo_db]

        async def work() -> None:
            return None

        task = PeriodicTask("once-an-hour", interval_s=3600, run=work)
        workers = [Scheduler(db, [task]) for _ in range(2)]
        ran = [await w.run_due() for _ in range(10) for w in workers]
        assert sum(len(r) for r in ran) == 1
        # One claim each (the winner's, the loser's refused one), then no more for the hour.
        assert claims.find_and_modify == 2
    finally:
        await client.close()


class _ClaimCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.find_and_modify = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "findAndModify" and event.command.get("findAndModify") == SCHEDULES:
            self.find_and_modify += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


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


@pytest.mark.parametrize("definition", [VOLUNTEERS, ISSUES, ASSETS, NOTIFICATIONS], ids=lambda d: d.name)
async def test_every_service_worker_builds_its_periodic_tasks(service_context, definition) -> None:
    # Regression: the assets worker built its service without the unit of work and died at start.
    ctx = await service_context(definition)
    tasks = ctx.components.periodic
    assert tasks and all(callable(task.run) for task in tasks)


async def test_a_worker_whose_wiring_fails_starts_nothing(service_context) -> None:
    def broken_bootstrap(_ctx):
        raise TypeError("wiring bug")

    ctx = await service_context(dataclasses.replace(DEFINITION, bootstrap=broken_bootstrap))
    with pytest.raises(TypeError, match="wiring bug"):
        await ctx.run_worker(asyncio.Event())
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("volunteers-") and not t.done()]

"""One composition root per service: everything a process runs is built once, by its bootstrap.

A ``--role all`` process serves the API and runs the worker (consumer handlers, periodic tasks,
loops) from one ``ServiceContext``. Every use-case object and repository reachable from the app
and the worker must be one object per class, and the service's ``bootstrap`` must run once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import importlib
import types
from collections import Counter
from typing import Any

import pytest

from hub_common.app import create_app
from hub_common.contracts.topics import SERVICES
from hub_common.service import ServiceContext

pytestmark = pytest.mark.integration


def _reachable(*roots: Any) -> list[Any]:
    """Every object reachable from ``roots`` through attributes, containers and closures (not through
    modules or a function's globals, which would reach whatever else the test session holds)."""
    seen: set[int] = set()
    found: list[Any] = []
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type | str | bytes | int | float | types.ModuleType):
            continue
        seen.add(id(obj))
        found.append(obj)
        if isinstance(obj, types.FunctionType):
            stack.extend(cell.cell_contents for cell in obj.__closure__ or () if _filled(cell))
            stack.extend(obj.__defaults__ or ())
        else:
            stack.extend(gc.get_referents(obj))
    return found


def _filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def _built_by_the_service(obj: Any, service: str) -> bool:
    module = type(obj).__module__
    return module.startswith((f"hub_{service}.service", f"hub_{service}.adapters"))


@pytest.mark.parametrize("service", SERVICES)
async def test_each_service_object_is_built_once_per_process(service: str, make_settings) -> None:
    real = importlib.import_module(f"hub_{service}.__main__").DEFINITION
    calls = []

    def counted_bootstrap(ctx):
        calls.append(ctx)
        return real.bootstrap(ctx)

    definition = dataclasses.replace(real, bootstrap=counted_bootstrap)
    ctx = ServiceContext(definition, make_settings(definition.settings_class))
    try:
        # What a --role all process builds: the API app and, from the same context, the worker's parts.
        app = create_app(definition, ctx.settings, run_worker=True, context=ctx)
        consumer = ctx.consumer()
        worker_parts = (consumer, ctx.components.periodic, ctx.components.loops)

        assert len(calls) == 1, "bootstrap ran more than once for one process"
        assert app.state.use_cases is ctx.components.use_cases
        objects = [o for o in _reachable(app, ctx.components, *worker_parts) if _built_by_the_service(o, service)]
        counts = Counter(type(o).__qualname__ for o in objects if not isinstance(o, asyncio.Future))
        assert counts, f"no use-case or repository objects of hub_{service} found: is the shape in place?"
        twice = {name: n for name, n in counts.items() if n > 1}
        assert not twice, f"built more than once in one process: {twice}"
    finally:
        await ctx.close()

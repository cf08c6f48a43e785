"""Every list and search endpoint the growth bench measures is served by an index, on a first page and a cursor page.

The CI-sized version of ``bench/growth.py``: the same documents and endpoint cases, a few
thousand documents per service. Each case runs through the real app while PyMongo command
monitoring records the queries it sends; ``explain`` on each must show an index scan, no COLLSCAN.
(SecantusDB's planner takes a collection scan for some compound filters, notably a keyset ``$or``,
unless the query names its index: that is what this test guards. A ``$geoNear`` aggregate is
reported separately: MongoDB serves it from the 2dsphere index, SecantusDB always scans for it.)
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from hub_common.app import create_app

pytestmark = pytest.mark.integration

DOCUMENTS = 1500  # enough for several cursor pages of 50 under every filter the cases use


def _load_growth_bench():
    path = Path(__file__).resolve().parents[2] / "bench" / "growth.py"
    spec = importlib.util.spec_from_file_location("hub_bench_growth", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


growth = _load_growth_bench()


@pytest.mark.parametrize("service", list(growth.BENCHES))
async def test_every_list_query_of_the_service_uses_an_index(service, service_context):
    bench = growth.BENCHES[service]()
    ctx = await service_context(bench.definition)
    tokens = growth.Tokens()
    rng = random.Random(11)
    app = create_app(bench.definition, ctx.settings, context=ctx)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://plans") as client:
            await bench.prepare(ctx, client, tokens)
            tokens.hubs = bench.hubs
            await growth.grow(ctx, bench, 0, DOCUMENTS, rng)
            scans = {}
            for case in bench.cases:
                plans = await growth.plans_of(client, ctx, bench, case, tokens, rng)
                assert plans, f"{case.name} sent no query to {bench.collection}: the case no longer exercises it"
                if case.pages > 1 and not any(p.geo_near for p in plans):
                    assert len(plans) >= 2, f"{case.name}: no cursor page was checked"
                assert not plans[0].scans, f"{case.name}: the first page scans the collection"
                scanning = [p.stages for p in plans if p.scans]
                if scanning:
                    scans[case.name] = scanning
    assert scans == {}, f"collection scans in {service}: {scans}"

"""API benchmark: POST an issue through the real issues API vs bare FastAPI + PyMongo endpoints.

Prints requests/s for, from one run on the same database and load:
  (a) the issues service's ``POST /v1/issues``: auth, validation, hub assignment, duplicate
      search, state + outbox (+ contact) in one transaction, problem+json errors, logging, metrics;
  (b) a bare FastAPI endpoint writing the same issue document and an outbox record in one
      MongoDB transaction, into collections with the service's indexes (no auth, no validation
      beyond the body model, no duplicate search);
  (c) a plain single-insert endpoint (a small document, no secondary index), for reference;
  (a-) a diagnostic, not a figure to compare: (a) with its duplicate-search read answered from
      nowhere, which shows what that one read costs (the bare endpoint does not make it).
Target: (a)/(b) >= 0.8. All three run in-process through httpx's ASGI transport with the same
number of concurrent clients, so HTTP parsing is left out equally for each.

    uv run python bench/api.py --requests 400 --concurrency 8
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pydantic import BaseModel
from pymongo import AsyncMongoClient

from hub_common.app import create_app
from hub_common.logging import configure_logging
from hub_common.mongo import ensure_indexes
from hub_common.uow import backbone_indexes
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_issues.adapters import INDEXES
from hub_issues.adapters.issues import IssueRepository
from hub_issues.settings import IssuesSettings
from hub_testkit.tokens import TEST_JWKS, issue_token

NORTHFIELD = (53.8150, -1.5500)


def spots() -> Iterator[dict[str, float]]:
    """Where each report is, across every round: 11 m apart along columns 130 m apart, inside
    Northfield, so every report's duplicate search reads about as many neighbours as the last."""
    for n in itertools.count():
        yield {"lat": 53.801 + (n % 280) * 1e-4, "lon": -1.579 + (n // 280 % 29) * 0.002}


SPOTS = spots()


@contextlib.asynccontextmanager
async def without_duplicate_search() -> AsyncIterator[None]:
    """For (a-): the service's duplicate search finds nothing, without asking the database."""
    original = IssueRepository.nearby

    async def nothing_near(*_args: object, **_kwargs: object) -> list:
        return []

    IssueRepository.nearby = nothing_near
    try:
        yield
    finally:
        IssueRepository.nearby = original


class ReportIn(BaseModel):
    service_code: str
    description: str
    lat: float
    lon: float


def bare_app(client: AsyncMongoClient, db_name: str, *, transactional: bool) -> FastAPI:
    """(b): the same issue document and outbox record in one transaction, into collections with the
    same indexes the service keeps (its list, search and duplicate queries need them; every insert
    maintains them); (c): one small document into a collection with no secondary index."""
    db = client[db_name]

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if transactional:
            await ensure_indexes(db, [*INDEXES, *backbone_indexes(3600)])
        yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/v1/issues", status_code=201)
    async def report(body: ReportIn) -> dict[str, str]:
        issue_id = uuid.uuid4().hex
        now = datetime.now(UTC)
        if not transactional:
            await db["issues"].insert_one(
                {"_id": issue_id, **body.model_dump(), "status": "reported", "created_at": now}
            )
            return {"id": issue_id}
        doc = issue_document(issue_id, body, now)
        outbox = {"_id": str(uuid.uuid4()), "status": "pending", "created_at": now, "subject": issue_id, "data": doc}
        async with client.start_session() as session:

            async def work(s) -> None:
                await db["issues"].insert_one(doc, session=s)
                await db["outbox"].insert_one(outbox, session=s)

            await session.with_transaction(work)
        return {"id": issue_id}

    return app


def issue_document(issue_id: str, body: ReportIn, now: datetime) -> dict:
    """The fields the issues service stores for a report (hand-written, without its rules)."""
    return {
        "_id": issue_id,
        "hub_id": "hub-northfield",
        "service_code": body.service_code,
        "service_name": "Litter",
        "group": "Street cleaning",
        "description": body.description,
        "location": {"type": "Point", "coordinates": [body.lon, body.lat]},
        "lat": body.lat,
        "lon": body.lon,
        "location_precision": "point",
        "attributes": {},
        "reporter_id": "bench-resident",
        "channel": "api",
        "status": "reported",
        "open": True,
        "history": [],
        "followers": ["bench-resident"],
        "supporters": [],
        "support_count": 0,
        "requested_at": now,
        "updated_at": now,
        "overdue": False,
        "feedback_state": "none",
        "version": 1,
        "search_terms": body.description.lower().split(),
        "near_key": f"{body.service_code}|{int(body.lat * 1000)}|{int(body.lon * 1000)}",
    }


async def drive(app, requests: int, concurrency: int, headers: dict[str, str]) -> float:
    """Requests per second for ``requests`` POSTs from ``concurrency`` clients."""
    body = {"service_code": "litter", "description": "Bags of rubbish", "lat": NORTHFIELD[0], "lon": NORTHFIELD[1]}
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(5):  # warm up
                (await client.post("/v1/issues", json=body, headers=headers)).raise_for_status()
            queue = list(range(requests))
            started = time.perf_counter()

            async def worker() -> None:
                while queue:
                    queue.pop()
                    spread = {**body, **next(SPOTS)}
                    (await client.post("/v1/issues", json=spread, headers=headers)).raise_for_status()

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return requests / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (a), (b), (c); medians are reported")
    parser.add_argument("--mongo", default=os.environ.get("HUB_MONGO_URI", "mongodb://127.0.0.1:27017"))
    parser.add_argument("--kafka", default=os.environ.get("HUB_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    args = parser.parse_args()
    configure_logging("bench", "console", "WARNING")
    run = uuid.uuid4().hex[:8]
    settings = IssuesSettings(
        kafka_bootstrap_servers=args.kafka,
        mongo_uri=args.mongo,
        mongo_db=f"hub_bench_api_{run}",
        log_level="WARNING",
        auth_jwks=TEST_JWKS,  # the bench signs its callers' tokens with the test kit's key
    )
    client = AsyncMongoClient(args.mongo, tz_aware=True)
    names = (
        "(a) issues API POST /v1/issues",
        "(b) bare FastAPI: state + outbox, 1 txn",
        "(c) bare FastAPI: single insert",
        "(a-) diagnostic: (a) minus duplicate search",
    )
    rates: dict[str, list[float]] = {name: [] for name in names}
    try:
        seeding = create_app(ISSUES, settings)
        await ISSUES.seed_demo_data(seeding.state.ctx)
        token = issue_token(sub="bench-resident", role="resident")
        auth = {"Authorization": f"Bearer {token}"}
        # The database slows down unevenly as it fills and checkpoints, so the three take turns
        # (in a rotating order) and each figure is the median of its rounds.
        for round_ in range(args.rounds):
            contenders = [
                (names[0], lambda: create_app(ISSUES, settings), auth, None),
                (names[1], lambda: bare_app(client, f"hub_bench_bare_{run}", transactional=True), {}, None),
                (names[2], lambda: bare_app(client, f"hub_bench_plain_{run}", transactional=False), {}, None),
                (names[3], lambda: create_app(ISSUES, settings), auth, without_duplicate_search),
            ]
            turn = round_ % len(contenders)
            for name, make_app, headers, patch in contenders[turn:] + contenders[:turn]:
                async with (patch or contextlib.nullcontext)():
                    rates[name].append(await drive(make_app(), args.requests, args.concurrency, headers))
    finally:
        for name in (f"hub_bench_api_{run}", f"hub_bench_bare_{run}", f"hub_bench_plain_{run}"):
            await client.drop_database(name)
        await client.close()
    print(
        f"api bench  run={run}  requests={args.requests}  concurrency={args.concurrency}  rounds={args.rounds}"
        f"  mongo={args.mongo}"
    )
    print(f"{'figure':44} {'median req/s':>12}  rounds")
    medians = {name: statistics.median(values) for name, values in rates.items()}
    for name in names:
        print(f"{name:44} {medians[name]:12.1f}  {' '.join(f'{v:.1f}' for v in rates[name])}")
    per_round = " ".join(f"{a / b:.2f}" for a, b in zip(rates[names[0]], rates[names[1]], strict=True))
    print(f"ratio (a)/(b) = {medians[names[0]] / medians[names[1]]:.2f}   (target >= 0.8; per round: {per_round})")
    print(f"ratio (a)/(c) = {medians[names[0]] / medians[names[2]]:.2f}")
    print(f"diagnostic (a-)/(b) = {medians[names[3]] / medians[names[1]]:.2f}   (what the duplicate-search read costs)")


if __name__ == "__main__":
    asyncio.run(main())

"""Growth: each service's list/search endpoints at 10k and 100k documents: index plans and p50/p99.

For each service it grows the collection behind its lists to each size in ``--sizes`` (documents
cloned from ones the service itself wrote: a real report, the demo data), then, through the real
FastAPI app in process (httpx ASGI transport, a staff or resident JWT from ``issue_token``):

- runs every endpoint case once while recording, with PyMongo command monitoring, the exact
  ``find``/``aggregate``/``count`` commands it sends, and runs ``explain`` on each of them
  (SecantusDB answers ``explain`` with MongoDB's queryPlanner shape): the plan must use an
  index, never COLLSCAN. First pages and cursor pages are both checked;
- times ``--requests`` requests per case with varied filters, a third of them cursor pages.

It prints one table per service (endpoint, p50/p99 at each size, p99 ratio, index) and exits
non-zero if any plan scans the collection. See bench/README.md for the method.

    uv run python bench/growth.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from pymongo import monitoring

from hub_assets.__main__ import DEFINITION as ASSETS
from hub_common.app import create_app
from hub_common.logging import configure_logging
from hub_common.service import ServiceContext, ServiceDefinition
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_issues.domain import text as issue_text
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_participation.__main__ import DEFINITION as PARTICIPATION
from hub_participation.domain.similar import keywords
from hub_testkit.tokens import TEST_JWKS, issue_token
from hub_volunteers.__main__ import DEFINITION as VOLUNTEERS

DEFAULT_SIZES = "10000,100000"
DEFAULT_REQUESTS = 30
BATCH = 1000
READ_COMMANDS = {"find", "aggregate", "count", "distinct"}
# Keys of a sent command that belong to the session or transport, not to the query.
TRANSPORT_KEYS = {
    "lsid",
    "$db",
    "$clusterTime",
    "txnNumber",
    "autocommit",
    "startTransaction",
    "$readPreference",
    "readConcern",
    "apiVersion",
    "apiStrict",
    "apiDeprecationErrors",
}
NORTHFIELD = (53.8150, -1.5500)
WORDS = [
    "rubbish",
    "bags",
    "dumped",
    "fly",
    "tipping",
    "pothole",
    "street",
    "light",
    "broken",
    "bench",
    "graffiti",
    "wall",
    "glass",
    "bottles",
    "overflowing",
    "bin",
    "dog",
    "fouling",
    "park",
    "path",
    "flooded",
    "drain",
    "blocked",
    "leaves",
    "abandoned",
    "bike",
    "trolley",
    "needle",
    "playground",
    "swing",
    "damaged",
    "fence",
    "sign",
    "missing",
    "crossing",
]


# -- capturing and explaining the queries an endpoint sends ----------------------------------------


class QueryRecorder(monitoring.CommandListener):
    """Keeps the read commands sent to one database while ``recording`` is on."""

    def __init__(self) -> None:
        self.database = ""
        self.recording = False
        self.commands: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.recording and event.database_name == self.database and event.command_name in READ_COMMANDS:
            command = {k: v for k, v in event.command.items() if k not in TRANSPORT_KEYS}
            self.commands.append(copy.deepcopy(command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


RECORDER = QueryRecorder()
VERBOSE_PLANS = bool(os.environ.get("BENCH_VERBOSE_PLANS"))
monitoring.register(RECORDER)  # before any client exists: clients copy the listeners they start with


@dataclass
class Plan:
    collection: str
    stages: list[str]
    indexes: list[str]

    geo_near: bool = False  # a $geoNear aggregate: SecantusDB runs it over the collection

    @property
    def scans(self) -> bool:
        return "COLLSCAN" in self.stages and not self.geo_near


def walk_plan(node: Any, stages: list[str], indexes: list[str]) -> None:
    """Every stage and index name in an explain tree (find, aggregate $cursor, $geoNear, or/and)."""
    if isinstance(node, dict):
        if isinstance(node.get("stage"), str):
            stages.append(node["stage"])
            if "indexName" in node:
                indexes.append(node["indexName"])
        for key, value in node.items():
            if key in ("inputStage", "inputStages", "winningPlan", "queryPlanner", "stages", "$cursor", "queryPlan"):
                walk_plan(value, stages, indexes)
            elif key == "$geoNear" and isinstance(value, dict):
                stages.append("GEO_NEAR")  # served by the 2dsphere index ($geoNear needs one)
    elif isinstance(node, list):
        for item in node:
            walk_plan(item, stages, indexes)


async def explain(ctx: ServiceContext, command: dict[str, Any]) -> Plan:
    name = next(iter(command))
    result = await ctx.db.command({"explain": command, "verbosity": "queryPlanner"})
    stages: list[str] = []
    indexes: list[str] = []
    walk_plan(result, stages, indexes)
    geo_near = name == "aggregate" and any("$geoNear" in stage for stage in command["pipeline"])
    return Plan(collection=command[name], stages=stages, indexes=sorted(set(indexes)), geo_near=geo_near)


# -- services, their documents and endpoint cases --------------------------------------------------


@dataclass
class Case:
    name: str
    path: str | Callable[[random.Random], str]
    params: Callable[[random.Random], dict[str, Any]] = lambda _rng: {}
    role: str = "staff"  # whose token: staff of every hub, or a resident (``person``)
    pages: int = 3  # requests per round: the first page, then cursor pages


@dataclass
class Bench:
    """One service's growth bench: how to make its documents and which endpoints read them."""

    definition: ServiceDefinition
    collection: str
    cases: list[Case]
    people: list[str] = field(default_factory=list)  # subjects whose own lists are read (inbox)
    hubs: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    async def prepare(self, ctx: ServiceContext, client: httpx.AsyncClient, tokens: Tokens) -> None:
        raise NotImplementedError

    def document(self, i: int, rng: random.Random, size_hint: int) -> dict[str, Any]:
        raise NotImplementedError


@dataclass
class Tokens:
    hubs: list[str] = field(default_factory=list)

    def headers(self, role: str, sub: str = "bench-staff") -> dict[str, str]:
        claims = {"hubs": self.hubs} if role in ("staff", "partner") else {}
        return {"Authorization": f"Bearer {issue_token(sub=sub, role=role, **claims)}"}


def spread_time(rng: random.Random, days: int = 730) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=rng.uniform(0, days * 86400))


class IssuesBench(Bench):
    STATUSES = ("reported", "acknowledged", "in_progress", "fixed", "closed", "referred")

    def __init__(self) -> None:
        super().__init__(
            ISSUES,
            "issues",
            [
                Case("GET /v1/issues (newest, no filter)", "/v1/issues"),
                Case("GET /v1/issues?hub_id", "/v1/issues", lambda r: {"hub_id": r.choice(self.hubs)}),
                Case(
                    "GET /v1/issues?hub_id&status",
                    "/v1/issues",
                    lambda r: {"hub_id": r.choice(self.hubs), "status": r.choice(self.STATUSES)},
                ),
                Case("GET /v1/issues?service_code", "/v1/issues", lambda r: {"service_code": r.choice(self.codes)}),
                Case("GET /v1/issues?q (one word)", "/v1/issues", lambda r: {"q": r.choice(WORDS)}),
                Case(
                    "GET /v1/issues?lat&lon&radius_m",
                    "/v1/issues",
                    lambda r: {"lat": NORTHFIELD[0] + r.uniform(-0.01, 0.01), "lon": NORTHFIELD[1], "radius_m": 2000},
                ),
                Case("GET /v1/hubs/{hub}/priorities", lambda r: f"/v1/hubs/{r.choice(self.hubs)}/priorities"),
                Case("GET /v1/hubs/{hub}/you-said-we-did", lambda r: f"/v1/hubs/{r.choice(self.hubs)}/you-said-we-did"),
                Case(
                    "GET /open311/v2/requests.json?status",
                    "/open311/v2/requests.json",
                    lambda r: {"status": r.choice(["open", "closed"])},
                    pages=1,
                ),
            ],
        )

    async def prepare(self, ctx: ServiceContext, client: httpx.AsyncClient, tokens: Tokens) -> None:
        await ISSUES.seed_demo_data(ctx)
        self.hubs = [d["_id"] async for d in ctx.db["hubs"].find({}, {"_id": 1})]
        self.codes = sorted({d["code"] async for d in ctx.db["categories"].find({}, {"code": 1})})
        # One real report through the API is the template every bench issue is cloned from.
        body = {"service_code": "litter", "description": "Bags of rubbish", "lat": NORTHFIELD[0], "lon": NORTHFIELD[1]}
        response = await client.post("/v1/issues", json=body, headers=tokens.headers("resident", "bench-reporter"))
        response.raise_for_status()
        self.templates = [await ctx.db["issues"].find_one({"_id": response.json()["issue"]["id"]})]
        self.extra["names"] = {
            d["code"]: d["name"] async for d in ctx.db["categories"].find({}, {"code": 1, "name": 1})
        }

    def document(self, i: int, rng: random.Random, size_hint: int) -> dict[str, Any]:
        doc = copy.deepcopy(self.templates[0])
        status = rng.choice(self.STATUSES)
        code = rng.choice(self.codes)
        lat, lon = NORTHFIELD[0] + rng.uniform(-0.05, 0.05), NORTHFIELD[1] + rng.uniform(-0.08, 0.08)
        description = " ".join(rng.choice(WORDS) for _ in range(8))
        requested_at = spread_time(rng)
        doc.update(
            _id=f"bench{i:07d}{uuid.uuid4().hex[:6]}",
            hub_id=rng.choice(self.hubs),
            status=status,
            open=status not in ("fixed", "closed"),
            service_code=code,
            service_name=self.extra["names"].get(code, code),
            description=description,
            lat=lat,
            lon=lon,
            location={"type": "Point", "coordinates": [lon, lat]},
            requested_at=requested_at,
            updated_at=requested_at,
            search_terms=issue_text.terms(description, doc.get("address")),
            support_count=rng.randint(0, 12),
            reporter_id=f"bench-person-{rng.randrange(max(1, size_hint // 5))}",
        )
        if status in ("fixed", "closed"):
            doc["fixed_at"] = requested_at + timedelta(days=rng.uniform(0.5, 30))
            doc["fix_note"] = "Cleared by the street team"
        else:
            doc.pop("fixed_at", None)
        doc.pop("partner_key", None)
        return doc


class VolunteersBench(Bench):
    STATUSES = ("applicant", "approved", "active", "inactive")

    def __init__(self) -> None:
        super().__init__(
            VOLUNTEERS,
            "volunteers",
            [
                Case(
                    "GET /v1/volunteers?hub_id&status",
                    "/v1/volunteers",
                    lambda r: {"hub_id": r.choice(self.hubs), "status": r.choice(self.STATUSES)},
                ),
            ],
        )

    async def prepare(self, ctx: ServiceContext, client: httpx.AsyncClient, tokens: Tokens) -> None:
        await VOLUNTEERS.seed_demo_data(ctx)
        self.templates = await ctx.db["volunteers"].find({}).to_list()
        self.hubs = sorted({t["hub_id"] for t in self.templates} | {"hub-northfield", "hub-riverside"})

    def document(self, i: int, rng: random.Random, size_hint: int) -> dict[str, Any]:
        doc = copy.deepcopy(rng.choice(self.templates))
        doc.update(
            _id=f"bench-vol-{i:07d}",
            hub_id=rng.choice(self.hubs),
            status=rng.choice(self.STATUSES),
            name=f"Bench Volunteer {i}",
            email=f"bench-vol-{i}@example.org",
            created_at=spread_time(rng),
            sub=f"bench-user-{i}",
        )
        return doc


class AssetsBench(Bench):
    def __init__(self) -> None:
        super().__init__(
            ASSETS,
            "assets",
            [
                Case("GET /v1/assets (by name, no filter)", "/v1/assets"),
                Case("GET /v1/assets?hub_id", "/v1/assets", lambda r: {"hub_id": r.choice(self.hubs)}),
                Case("GET /v1/assets?kind", "/v1/assets", lambda r: {"kind": r.choice(self.extra["kinds"])}),
                Case("GET /v1/assets?tag", "/v1/assets", lambda r: {"tag": r.choice(self.extra["tags"])}),
                Case("GET /v1/assets?q (one word)", "/v1/assets", lambda r: {"q": r.choice(self.extra["words"])}),
                Case(
                    "GET /v1/assets?lat&lon&radius_m",
                    "/v1/assets",
                    lambda r: {"lat": NORTHFIELD[0] + r.uniform(-0.01, 0.01), "lon": NORTHFIELD[1], "radius_m": 500},
                ),
            ],
        )

    async def prepare(self, ctx: ServiceContext, client: httpx.AsyncClient, tokens: Tokens) -> None:
        await ASSETS.seed_demo_data(ctx)
        self.templates = await ctx.db["assets"].find({"status": "active"}).to_list()
        self.hubs = sorted({t["hub_id"] for t in self.templates if t.get("hub_id")})
        self.extra["kinds"] = sorted({t["kind"] for t in self.templates})
        self.extra["tags"] = sorted({tag for t in self.templates for tag in t.get("tags", [])})
        self.extra["words"] = sorted({w for t in self.templates for w in t["name"].lower().split() if len(w) > 3})

    def document(self, i: int, rng: random.Random, size_hint: int) -> dict[str, Any]:
        doc = copy.deepcopy(rng.choice(self.templates))
        lat, lon = NORTHFIELD[0] + rng.uniform(-0.05, 0.05), NORTHFIELD[1] + rng.uniform(-0.08, 0.08)
        doc.update(
            _id=f"bench-asset-{i:07d}",
            name=f"{doc['name']} {i}",
            hub_id=rng.choice(self.hubs),
            location={"lat": lat, "lon": lon},
            geo={"type": "Point", "coordinates": [lon, lat]},
        )
        return doc


class NotificationsBench(Bench):
    PER_PERSON = (
        90  # messages per person (60 in-app: two inbox pages): an inbox stays the same size however big the collection
    )

    def __init__(self) -> None:
        super().__init__(
            NOTIFICATIONS,
            "messages",
            [
                Case("GET /v1/inbox", "/v1/inbox", role="person"),
                Case("GET /v1/inbox/unread-count", "/v1/inbox/unread-count", role="person", pages=1),
                Case(
                    "GET /v1/events/{id}/messages",
                    lambda r: f"/v1/events/bench-event-{r.randrange(self.extra['events'])}/messages",
                    pages=1,
                ),
            ],
        )

    async def prepare(self, ctx: ServiceContext, client: httpx.AsyncClient, tokens: Tokens) -> None:
        self.hubs = ["hub-northfield", "hub-riverside"]

    def document(self, i: int, rng: random.Random, size_hint: int) -> dict[str, Any]:
        # The shape PlanningService.plan writes, after delivery (rendered subject and body).
        person = i // self.PER_PERSON
        event = i // 2  # two recipients per event
        created = spread_time(rng, 365)
        self.extra["events"] = max(self.extra.get("events", 1), event + 1)
        self.people = [f"bench-person-{p}" for p in range(0, max(1, size_hint // self.PER_PERSON), 7)][:200]
        channel = "inapp" if i % 3 else "email"
        return {
            "_id": f"bench-msg-{i:07d}",
            "event_id": f"bench-event-{event}",
            "event_source": "/hub/issues",
            "event_type": "hub.issues.issue.fixed.v1",
            "hub_id": self.hubs[person % len(self.hubs)],
            "person_id": f"bench-person-{person}",
            "channel": channel,
            "message_type": "issue_fixed",
            "category": "issue_updates",
            "critical": False,
            "values": {"issue_id": f"bench-issue-{event}", "service_name": "Litter"},
            "status": "delivered",
            "attempts": 1,
            "created_at": created,
            "reminder_keys": [],
            "trace_id": None,
            "history": [{"status": "created", "at": created, "reason": None}],
            "read_at": None if rng.random() < 0.5 else created + timedelta(hours=2),
            "subject": "Your report was fixed",
            "body": "Thank you: the street team cleared it.",
            "updated_at": created,
            "reason": None,
        }


class ParticipationBench(Bench):
    STATUSES = ("open", "for_response", "accepted", "not_taken_forward")

    def __init__(self) -> None:
        super().__init__(
            PARTICIPATION,
            "ideas",
            [
                Case("GET /v1/hubs/{hub}/ideas (by support)", lambda r: f"/v1/hubs/{r.choice(self.hubs)}/ideas"),
                Case(
                    "GET /v1/hubs/{hub}/ideas?sort=newest",
                    lambda r: f"/v1/hubs/{r.choice(self.hubs)}/ideas",
                    lambda _r: {"sort": "newest"},
                ),
                Case(
                    "GET /v1/hubs/{hub}/ideas?sort=newest&status",
                    lambda r: f"/v1/hubs/{r.choice(self.hubs)}/ideas",
                    lambda r: {"sort": "newest", "status": r.choice(self.STATUSES)},
                ),
                Case(
                    "GET /v1/ideas/similar",
                    "/v1/ideas/similar",
                    lambda r: {"hub_id": r.choice(self.hubs), "title": " ".join(r.choice(WORDS) for _ in range(4))},
                    pages=1,
                ),
            ],
        )

    async def prepare(self, ctx: ServiceContext, client: httpx.AsyncClient, tokens: Tokens) -> None:
        await PARTICIPATION.seed_demo_data(ctx)
        self.templates = await ctx.db["ideas"].find({}).to_list()
        self.hubs = sorted({t["hub_id"] for t in self.templates})

    def document(self, i: int, rng: random.Random, size_hint: int) -> dict[str, Any]:
        doc = copy.deepcopy(rng.choice(self.templates))
        title = " ".join(rng.choice(WORDS) for _ in range(5))
        status = rng.choice(self.STATUSES)
        proposed_at = spread_time(rng)
        doc.update(
            _id=f"bench-idea-{i:07d}",
            hub_id=rng.choice(self.hubs),
            wording={**doc["wording"], "title": title},
            status=status,
            support_count=rng.randint(0, 40),
            proposed_at=proposed_at,
            updated_at=proposed_at,
            listed=rng.random() > 0.05,
        )
        doc.pop("search_terms", None)
        if status in ("open", "for_response") and doc["listed"]:
            doc["search_terms"] = keywords(title, doc["wording"]["description"])
        return doc


BENCHES: dict[str, Callable[[], Bench]] = {
    "issues": IssuesBench,
    "volunteers": VolunteersBench,
    "assets": AssetsBench,
    "notifications": NotificationsBench,
    "participation": ParticipationBench,
}


# -- running ---------------------------------------------------------------------------------------


@dataclass
class CaseResult:
    name: str
    p50_ms: dict[int, float] = field(default_factory=dict)
    p99_ms: dict[int, float] = field(default_factory=dict)
    plans: dict[int, list[Plan]] = field(default_factory=dict)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def grow(ctx: ServiceContext, bench: Bench, have: int, size: int, rng: random.Random) -> float:
    """Insert documents up to ``size`` in batches; return the seconds it took."""
    started = time.perf_counter()
    collection = ctx.db[bench.collection]
    for start in range(have, size, BATCH):
        docs = [bench.document(i, rng, size) for i in range(start, min(size, start + BATCH))]
        await collection.insert_many(docs, ordered=False)
    return time.perf_counter() - started


async def run_case(
    client: httpx.AsyncClient, bench: Bench, case: Case, tokens: Tokens, rng: random.Random, requests: int
) -> tuple[list[float], int]:
    """``requests`` timed requests in rounds of (first page, cursor pages...); returns times and 2xx count."""
    times: list[float] = []
    ok = 0
    while len(times) < requests:
        path = case.path(rng) if callable(case.path) else case.path
        params = case.params(rng)
        if case.role == "person":
            headers = tokens.headers("resident", rng.choice(bench.people))
        else:
            headers = tokens.headers(case.role)
        for _page in range(case.pages):
            started = time.perf_counter()
            response = await client.get(path, params=params, headers=headers)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{case.name}: {response.status_code} {response.text[:300]}")
            ok += 1
            body = response.json()
            cursor = body.get("next_cursor") if isinstance(body, dict) else None
            if not cursor or len(times) >= requests:
                break
            params = {**params, "cursor": cursor}
    return times, ok


async def plans_of(
    client: httpx.AsyncClient, ctx: ServiceContext, bench: Bench, case: Case, tokens: Tokens, rng
) -> list[Plan]:
    """Explain every read the case's first page and one cursor page send to the grown collection."""
    path = case.path(rng) if callable(case.path) else case.path
    params = case.params(rng)
    headers = tokens.headers("resident", bench.people[0]) if case.role == "person" else tokens.headers(case.role)
    RECORDER.database, RECORDER.commands, RECORDER.recording = ctx.settings.mongo_db, [], True
    try:
        response = await client.get(path, params=params, headers=headers)
        body = response.json()
        if case.pages > 1 and isinstance(body, dict) and body.get("next_cursor"):
            await client.get(path, params={**params, "cursor": body["next_cursor"]}, headers=headers)
    finally:
        RECORDER.recording = False
    plans = []
    for command in RECORDER.commands:
        if command[next(iter(command))] != bench.collection:
            continue
        plans.append(await explain(ctx, command))
        if VERBOSE_PLANS:
            print(f"    {case.name}: {plans[-1].stages} {plans[-1].indexes} <- {command}", file=sys.stderr)
    return plans


async def bench_service(args: argparse.Namespace, name: str, sizes: list[int]) -> tuple[Bench, list[CaseResult], dict]:
    bench = BENCHES[name]()
    settings = bench.definition.settings_class(
        kafka_bootstrap_servers=args.kafka,
        mongo_uri=args.mongo,
        mongo_db=f"hub_bench_growth_{args.run_id}_{name}",
        log_format="console",
        log_level="WARNING",
        auth_jwks=TEST_JWKS,  # the bench signs its callers' tokens with the test kit's key
    )
    tokens = Tokens()
    ctx = ServiceContext(bench.definition, settings)
    rng = random.Random(args.seed)
    results = {case.name: CaseResult(case.name) for case in bench.cases}
    loads: dict[int, float] = {}
    try:
        await ctx.start()
        app = create_app(bench.definition, settings, context=ctx)
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=300) as client:
                await bench.prepare(ctx, client, tokens)
                tokens.hubs = bench.hubs
                have = 0
                for size in sizes:
                    print(f"{name}: growing {bench.collection} to {size} ...", file=sys.stderr, flush=True)
                    loads[size] = await grow(ctx, bench, have, size, rng)
                    have = size
                    for case in bench.cases:
                        result = results[case.name]
                        result.plans[size] = await plans_of(client, ctx, bench, case, tokens, rng)
                        await run_case(client, bench, case, tokens, rng, 2)  # warm up
                        times, _ok = await run_case(client, bench, case, tokens, rng, args.requests)
                        result.p50_ms[size] = percentile(times, 50) * 1000
                        result.p99_ms[size] = percentile(times, 99) * 1000
                        print(
                            f"  {case.name}: p50 {result.p50_ms[size]:.1f} ms, p99 {result.p99_ms[size]:.1f} ms",
                            file=sys.stderr,
                            flush=True,
                        )
    finally:
        if not args.keep:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ctx.client.drop_database(settings.mongo_db), 120)
        await ctx.close()
    return bench, list(results.values()), loads


def plan_label(plans: list[Plan]) -> str:
    if not plans:
        return "(no query on the collection)"
    labels = []
    for plan in plans:
        if plan.geo_near and "COLLSCAN" in plan.stages:
            label = "$geoNear: scanned by SecantusDB (see README)"
        else:
            label = "COLLSCAN!" if plan.scans else "+".join(plan.indexes) or "/".join(plan.stages)
        if label not in labels:
            labels.append(label)
    return ", ".join(labels)


def print_service(
    name: str, bench: Bench, results: list[CaseResult], loads: dict[int, float], sizes: list[int]
) -> bool:
    first, last = sizes[0], sizes[-1]
    print()
    load_text = ", ".join(
        f"{size}: {seconds:.0f} s ({size / max(seconds, 1e-9):.0f} docs/s cumulative)"
        for size, seconds in loads.items()
    )
    print(f"{name}  ({bench.collection}; load {load_text})")
    size_cols = "".join(f" {'p50@' + short(s):>10} {'p99@' + short(s):>10}" for s in sizes)
    header = f"{'endpoint':<40}{size_cols} {'p99 ratio':>9}  plan (index)"
    print(header)
    print("-" * len(header))
    clean = True
    for r in results:
        cols = "".join(f" {r.p50_ms[s]:>10.1f} {r.p99_ms[s]:>10.1f}" for s in sizes)
        ratio = r.p99_ms[last] / r.p99_ms[first] if len(sizes) > 1 else 1.0
        plans = [p for s in sizes for p in r.plans[s]]
        clean = clean and not any(p.scans for p in plans)
        print(f"{r.name:<40}{cols} {ratio:>9.2f}  {plan_label(plans)}")
    return clean


def short(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


async def main(args: argparse.Namespace) -> int:
    sizes = sorted(int(s) for s in args.sizes.split(","))
    outcomes = []
    for name in args.services:
        outcomes.append((name, *await bench_service(args, name, sizes)))
    print()
    print(f"growth bench  run={args.run_id}  sizes={','.join(map(str, sizes))}  requests per case={args.requests}")
    print(f"mongo={args.mongo}  (times in ms, through the in-process app; plans from explain of the captured queries)")
    clean = True
    for name, bench, results, loads in outcomes:
        clean = print_service(name, bench, results, loads, sizes) and clean
    print()
    print("every list query uses an index" if clean else "SOME QUERIES SCAN THE COLLECTION (COLLSCAN! above)")
    return 0 if clean else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help=f"collection sizes, comma separated (default {DEFAULT_SIZES})"
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=DEFAULT_REQUESTS,
        help=f"timed requests per case and size (default {DEFAULT_REQUESTS})",
    )
    parser.add_argument("--services", nargs="+", choices=list(BENCHES), default=list(BENCHES))
    parser.add_argument("--kafka", default=os.environ.get("HUB_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--mongo", default=os.environ.get("HUB_MONGO_URI", "mongodb://127.0.0.1:27017"))
    parser.add_argument("--seed", type=int, default=7, help="random seed of the documents and filters")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases (default: drop them)")
    args = parser.parse_args(argv)
    args.run_id = uuid.uuid4().hex[:8]
    return args


if __name__ == "__main__":
    arguments = parse_args()
    configure_logging("bench", "console", "WARNING")
    sys.exit(asyncio.run(main(arguments)))

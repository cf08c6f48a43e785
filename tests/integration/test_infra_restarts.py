"""The broker, and separately the database, stop and come back while reports stream in.

A running system on a private Kafka + MongoDB pair (``private_infra``; the shared test pair is
never touched): the issues API and the issues worker, and the assets worker that opens
maintenance on an asset when an issue is reported against it. Residents keep reporting through
the API, each report retried with its own ``Idempotency-Key`` until it is accepted, as a
well-behaved client does. Mid-stream the broker (or the database) is stopped and restarted. No
service process is restarted; afterwards every accepted report exists once, its event reached
Kafka, and the maintenance it causes exists once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest

from hub_assets.__main__ import DEFINITION as ASSETS
from hub_assets.adapters.maintenance import MAINTENANCE
from hub_assets.domain.assets import AssetFields
from hub_common.auth import Principal
from hub_common.contracts import events_topic
from hub_common.service import ServiceContext
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_issues.adapters.issues import ISSUES as ISSUES_COLLECTION
from hub_testkit.outbox import count_outbox_events
from hub_testkit.tokens import issue_token

pytestmark = pytest.mark.integration

REPORTS = int(os.environ.get("HUB_RESTART_REPORTS", "150"))
CLIENTS = 4  # residents reporting at the same time
OUTAGE_S = 15.0  # longer than the driver's 5 s server selection, so requests meet the outage
PACE_S = 0.4  # between one resident's reports: the stream runs before, through and after the outage
NORTHFIELD = "hub-northfield"
WORKER_SETTINGS = {"outbox_lease_s": 3, "consumer_backoff_max_s": 2, "outbox_poll_interval_s": 0.2}


@dataclass
class Running:
    """The system under test: its processes, and in-process handles on its databases."""

    issues: ServiceContext
    assets: ServiceContext
    processes: list
    asset_id: str
    token: str
    base_url: str
    pids: list[int] = field(default_factory=list)

    def still_the_same_processes(self) -> bool:
        return all(p.running for p in self.processes) and [p.process.pid for p in self.processes] == self.pids


@dataclass
class Outcomes:
    accepted: dict[int, str] = field(default_factory=dict)  # report number → issue id
    statuses: Counter = field(default_factory=Counter)
    during_outage: Counter = field(default_factory=Counter)
    outage: bool = False
    unavailable: list[httpx.Response] = field(default_factory=list)
    slowest_s: float = 0.0  # the longest any request waited for its answer


@pytest.fixture
async def running(
    private_infra, private_kafka, service_context, service_process, free_tcp_port, wait_until, unique
) -> Running:
    endpoints = {
        "kafka_bootstrap_servers": private_infra.kafka_bootstrap_servers,
        "mongo_uri": private_infra.mongo_uri,
    }
    issues = await service_context(ISSUES, **endpoints, **WORKER_SETTINGS, demo_data=True, http_port=free_tcp_port)
    assets = await service_context(ASSETS, **endpoints, **WORKER_SETTINGS)
    staff = Principal(sub=f"staff-{unique}", role="staff", hubs=(NORTHFIELD,))
    hall = await assets.components.use_cases.assets.register(
        staff, AssetFields(kind="room", hub_id=NORTHFIELD, name="Main Hall", location={"lat": 53.815, "lon": -1.55})
    )
    processes = [
        service_process("issues", issues.settings, role="api"),
        service_process("issues", issues.settings),
        service_process("assets", assets.settings),
    ]
    await processes[0].wait_until_serving()
    # The hall reaches the issues service's read model the normal way: outbox → Kafka → consumer.
    await wait_until(lambda: issues.db["assets"].find_one({"_id": hall.id}), timeout_s=90)
    token = issue_token(sub=f"resident-{unique}", role="resident")
    system = Running(issues, assets, processes, hall.id, token, processes[0].base_url)
    system.pids = [p.process.pid for p in processes]
    return system


async def report_until_accepted(client: httpx.AsyncClient, system: Running, n: int, marker: str, out: Outcomes):
    """One resident's report, sent again with the same Idempotency-Key until the API accepts it."""
    body = {
        "service_code": "damaged_bench",
        "description": f"Broken chair {n} in the hall ({marker})",
        "lat": 53.815,
        "lon": -1.55,
        "attributes": {"dangerous": "no"},
        "asset_id": system.asset_id,
    }
    headers = {"Authorization": f"Bearer {system.token}", "Idempotency-Key": f"{marker}-{n}"}
    while True:
        started = time.monotonic()
        try:
            response = await client.post("/v1/issues", json=body, headers=headers)
            out.slowest_s = max(out.slowest_s, time.monotonic() - started)
        except httpx.TransportError:
            await asyncio.sleep(0.5)  # the API process is up; a connection broke mid-request
            continue
        out.statuses[response.status_code] += 1
        if out.outage:
            out.during_outage[response.status_code] += 1
        if response.status_code == 201:
            out.accepted[n] = response.json()["issue"]["id"]
            return
        assert response.status_code == 503, response.text  # never a 500, never a lost request
        out.unavailable.append(response)
        await asyncio.sleep(min(float(response.headers["Retry-After"]), 1.0))


async def stream_reports(system: Running, marker: str, out: Outcomes) -> None:
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:

        async def resident(first: int) -> None:
            for n in range(first, REPORTS, CLIENTS):
                await report_until_accepted(client, system, n, marker, out)
                await asyncio.sleep(PACE_S)

        await asyncio.gather(*(resident(k) for k in range(CLIENTS)))


async def everything_arrived_once(system: Running, out: Outcomes, marker: str, kafka, wait_until) -> Counter:
    """Every report accepted once; its one event published; its maintenance opened once.

    Returns how many copies of each event Kafka holds: a relay that published a batch and could
    not delete it (the database went away) publishes it again, with the same ``ce_id``, and the
    consumer drops the repeat; that is why the effect is counted, not the copies.
    """
    assert len(out.accepted) == REPORTS
    issue_ids = set(out.accepted.values())
    assert len(issue_ids) == REPORTS  # no two reports became one issue
    stored = await system.issues.db[ISSUES_COLLECTION].count_documents({"description": {"$regex": marker}})
    assert stored == REPORTS  # and no report became two (a retried request returned the first result)

    async def outbox_drained() -> bool:
        pending = {"subject": {"$in": list(issue_ids)}, "status": "pending"}
        return await count_outbox_events(system.issues.db, pending) == 0

    await wait_until(outbox_drained, timeout_s=120)
    # The relay deleted the records once Kafka had them: the topic says what was raised.
    published = await kafka.collect(
        events_topic("issues"),
        lambda r: (
            dict(r.headers).get("ce_type") == b"hub.issues.issue.reported.v1"
            and dict(r.headers).get("ce_subject", b"").decode() in issue_ids
        ),
        count=REPORTS,
        timeout_s=60,
        settle_s=1.0,
    )
    events_of: dict[str, set[str]] = {}
    for record in published:
        headers = dict(record.headers)
        events_of.setdefault(headers["ce_subject"].decode(), set()).add(headers["ce_id"].decode())
    assert set(events_of) == issue_ids  # every accepted report's event reached the broker
    assert {len(ids) for ids in events_of.values()} == {1}  # one event per accepted report

    async def maintenance_opened() -> int:
        return await system.assets.db[MAINTENANCE].count_documents({"issue_id": {"$in": list(issue_ids)}})

    await wait_until(lambda: _at_least(maintenance_opened, REPORTS), timeout_s=120)
    await asyncio.sleep(2)  # time for a duplicate to show up if there were one
    per_issue = await (
        await system.assets.db[MAINTENANCE].aggregate(
            [{"$match": {"issue_id": {"$in": list(issue_ids)}}}, {"$group": {"_id": "$issue_id", "n": {"$sum": 1}}}]
        )
    ).to_list()
    assert len(per_issue) == REPORTS and {m["n"] for m in per_issue} == {1}

    return Counter(dict(r.headers)["ce_id"].decode() for r in published)


async def _at_least(count, n: int) -> bool:
    return await count() >= n


async def outage(stop, start, seconds: float, out: Outcomes) -> None:
    await asyncio.to_thread(stop)
    out.outage = True
    try:
        await asyncio.sleep(seconds)
    finally:
        out.outage = False
        await asyncio.to_thread(start)


async def report_through_outage(system, marker: str, stop, start, wait_until) -> Outcomes:
    """Stream reports; a third of the way in, stop a process for ``OUTAGE_S`` and start it again."""
    out = Outcomes()
    reporting = asyncio.ensure_future(stream_reports(system, marker, out))
    try:
        await wait_until(lambda: _async(len(out.accepted) >= REPORTS // 3), timeout_s=120)
        await outage(stop, start, OUTAGE_S, out)
        await reporting
    finally:
        reporting.cancel()
        with contextlib.suppress(Exception):
            await asyncio.to_thread(start)
    return out


async def test_the_broker_stops_and_returns_mid_stream_and_every_accepted_report_is_published_and_consumed_once(
    private_infra, private_kafka, running, wait_until, unique
):
    system, marker = running, f"broker-{unique}"
    out = await report_through_outage(system, marker, private_infra.stop_kafka, private_infra.start_kafka, wait_until)

    assert out.during_outage[201] > 0  # the API kept accepting reports without the broker
    assert set(out.statuses) == {201} and out.slowest_s < 10  # and did not wait for it
    copies = await everything_arrived_once(system, out, marker, private_kafka, wait_until)
    assert set(copies.values()) == {1}  # the relay never lost track of what it had published
    assert system.still_the_same_processes()  # nobody restarted anything


async def test_the_database_stops_and_returns_mid_stream_the_api_answers_503_and_nothing_accepted_is_lost(
    private_infra, private_kafka, running, wait_until, unique
):
    system, marker = running, f"database-{unique}"
    out = await report_through_outage(system, marker, private_infra.stop_mongo, private_infra.start_mongo, wait_until)

    assert out.during_outage[503] > 0, "no request met the outage"
    assert set(out.statuses) <= {201, 503}
    # A request caught mid-write gives up after HUB_TRANSACTION_TIMEOUT_S (10 s), not the driver's 120 s.
    assert out.slowest_s < 20, out.slowest_s
    for response in out.unavailable:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 503 and int(response.headers["Retry-After"]) > 0
    await everything_arrived_once(system, out, marker, private_kafka, wait_until)
    assert system.still_the_same_processes()


async def _async(value):
    return value

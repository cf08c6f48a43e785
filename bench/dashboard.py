"""Insight dashboard: the page's server time against its slowest service call.

The staff insight page (``/staff/insight``) asks three services (issues, volunteers, assets) for
their figures at once. Its ``Server-Timing`` header says how long each call took, the fetch as a
whole and the page (from the request reaching the route to the rendered HTML). From one run this
prints, over N page loads, p50/p95 of:

  each service call · the slowest call of each load · the sum of the three · the fetch · the page

and the ratios page/slowest and fetch/slowest (target: close to 1, <= 1.3: the calls overlap) and
sum/fetch (what fetching one after another would have cost more).

By default it starts what the page needs as real processes, as the web suite's browser tests do:
the test Kafka and MongoDB, the token issuer (the identity service), the issues, volunteers,
assets and notifications services (``--role api``, demo data) and the web app, on fresh
databases; writes ``--weeks`` of history into the three services' databases
(``hub_testkit.insight``) and signs in a staff account of both demo hubs. With ``--web-url`` it
measures a stack already running (``make run``) instead, signed in as ``--username``.

    uv run python bench/dashboard.py --loads 40
    uv run python bench/dashboard.py --web-url http://127.0.0.1:8080 --username northfield
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

from hub_common.demo import HUBS
from hub_testkit.infra import start_test_infra
from hub_testkit.insight import seed_insight_history
from hub_testkit.issuer import running_issuer
from hub_testkit.processes import free_port, stop_all, wait_ready
from hub_testkit.tokens import TEST_JWKS
from hub_web.accounts import hash_password

SERVICES = ("issues", "volunteers", "assets", "notifications")  # notifications: the page's unread count
CALLS = ("issues", "volunteers", "assets")
PASSWORD = "bench-password"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def parse_server_timing(header: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"([\w-]+);dur=([0-9.]+)", header)}


@contextlib.contextmanager
def own_stack(logs: Path, weeks: int) -> Iterator[tuple[str, str]]:
    """The page's services and the web app as processes on fresh databases; (web URL, username)."""
    unique = uuid.uuid4().hex[:8]
    processes: list[subprocess.Popen] = []
    with start_test_infra() as infra, running_issuer(infra.kafka_bootstrap_servers, infra.mongo_uri) as issuer:
        ports = {name: free_port() for name in (*SERVICES, "web")}
        url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        databases = {s: f"bench_dash_{s}_{unique}" for s in SERVICES}

        def start(name: str, module: str, env: dict[str, str], ready: str, args: list[str]) -> None:
            log = logs / f"{name}.log"
            with log.open("w") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", module, *args],
                    env={**os.environ, **env},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            processes.append(process)
            wait_ready(url[name] + ready, process, log)

        common = {"HUB_AUTH_JWKS": TEST_JWKS, "HUB_ISSUER_URL": issuer, "HUB_LOG_LEVEL": "WARNING"}
        try:
            for service in SERVICES:
                env = {
                    **common,
                    "HUB_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
                    "HUB_MONGO_URI": infra.mongo_uri,
                    "HUB_MONGO_DB": databases[service],
                    "HUB_HTTP_PORT": str(ports[service]),
                    "HUB_DEMO_DATA": "true",
                    "HUB_ENVIRONMENT": "test",
                }
                start(service, f"hub_{service}", env, "/health/ready", ["--role", "api"])
            account = {
                "username": "bench",
                "name": "Bench staff",
                "role": "staff",
                "hubs": [h["id"] for h in HUBS[:2]],
                "password_hash": hash_password(PASSWORD),
            }
            web_env = {
                **common,
                "HUB_WEB_HTTP_PORT": str(ports["web"]),
                **{f"HUB_WEB_{s.upper()}_URL": url[s] for s in SERVICES},
                "HUB_WEB_SESSION_SECRET": uuid.uuid4().hex * 2,
                "HUB_WEB_STAFF_ACCOUNTS": json.dumps([account]),
                "HUB_ENVIRONMENT": "test",
            }
            start("web", "hub_web", web_env, "/health/live", [])
            hubs = [{"id": h["id"], **h["centre"]} for h in HUBS[:2]]
            seeded = asyncio.run(
                seed_insight_history({s: infra.mongo_uri for s in CALLS}, databases, hubs, weeks=weeks)
            )
            print(f"history written: {seeded}")
            yield url["web"], "bench"
        finally:
            stop_all(processes)


def sign_in(client: httpx.Client, username: str, password: str) -> None:
    form = client.get("/sign-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    signed = client.post("/sign-in", data={"username": username, "password": password, "csrf_token": csrf})
    if signed.status_code != 303:
        raise SystemExit(f"sign-in as {username} failed: HTTP {signed.status_code}")


def measure(client: httpx.Client, params: dict[str, str], loads: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {name: [] for name in (*CALLS, "slowest", "sum", "fetch", "total", "client")}
    for n in range(loads + 3):  # the first three warm the caches (hubs, tokens, connections)
        started = time.perf_counter()
        page = client.get("/staff/insight", params=params)
        wall = (time.perf_counter() - started) * 1000
        if page.status_code != 200 or "server-timing" not in page.headers:
            raise SystemExit(f"the page answered {page.status_code} without Server-Timing")
        timing = parse_server_timing(page.headers["server-timing"])
        if n < 3:
            continue
        for name in CALLS:
            figures[name].append(timing[name])
        figures["slowest"].append(max(timing[name] for name in CALLS))
        figures["sum"].append(sum(timing[name] for name in CALLS))
        figures["fetch"].append(timing["fetch"])
        figures["total"].append(timing["total"])
        figures["client"].append(wall)
    return figures


def report(label: str, figures: dict[str, list[float]]) -> None:
    print(f"\n{label} ({len(figures['total'])} loads), ms")
    print(f"  {'':28} {'p50':>8} {'p95':>8}")
    rows = [
        *((f"call: {name}", name) for name in CALLS),
        ("slowest call of each load", "slowest"),
        ("sum of the three calls", "sum"),
        ("fetch (the three at once)", "fetch"),
        ("page (Server-Timing total)", "total"),
        ("page as the client saw it", "client"),
    ]
    for title, key in rows:
        print(f"  {title:28} {statistics.median(figures[key]):8.1f} {percentile(figures[key], 0.95):8.1f}")
    p50 = {k: statistics.median(v) for k, v in figures.items()}
    per_load = [t / s for t, s in zip(figures["total"], figures["slowest"], strict=True)]
    print(
        f"  page/slowest p50 {p50['total'] / p50['slowest']:.2f} (per load: median {statistics.median(per_load):.2f})"
        f" · fetch/slowest {p50['fetch'] / p50['slowest']:.2f} · sum/fetch {p50['sum'] / p50['fetch']:.2f}"
        f"  [target page/slowest <= 1.3: {'met' if p50['total'] / p50['slowest'] <= 1.3 else 'NOT met'}]"
    )


def run(web_url: str, username: str, password: str, loads: int, months: int) -> None:
    with httpx.Client(base_url=web_url, timeout=30) as client:
        sign_in(client, username, password)
        one_hub = re.search(r'<option value="(hub-[^"]+)"', client.get("/staff/insight").text)
        if one_hub:
            report(
                f"one hub ({one_hub.group(1)}), {months} months",
                measure(client, {"hub": one_hub.group(1), "months": str(months)}, loads),
            )
        report(
            f"all the account's hubs, {months} months", measure(client, {"hub": "all", "months": str(months)}, loads)
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=40, help="page loads measured per scope")
    parser.add_argument("--months", type=int, choices=(3, 6, 12), default=12, help="the page's period")
    parser.add_argument("--weeks", type=int, default=52, help="history written per hub (own stack only)")
    parser.add_argument("--web-url", help="measure this running web app (make run) instead of starting one")
    parser.add_argument("--username", default="northfield", help="with --web-url: a staff account")
    parser.add_argument("--password", default="demo-password", help="with --web-url: its password")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"machine: {platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()}")
    if args.web_url:
        run(args.web_url, args.username, args.password, args.loads, args.months)
        return 0
    with (
        tempfile.TemporaryDirectory(prefix="bench-dashboard-") as logs,
        own_stack(Path(logs), args.weeks) as (url, user),
    ):
        run(url, user, PASSWORD, args.loads, args.months)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

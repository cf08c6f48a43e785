"""The hub CLI against the real broker and database."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from typer.testing import CliRunner

from hub_cli import operations
from hub_cli.main import app
from hub_common.audit import AUDIT_INDEXES, AccessAudit
from hub_common.auth import Principal
from hub_common.contracts import all_topics, dlt_topic, inbound_topic
from hub_common.contracts.topics import SERVICES
from hub_common.mongo import create_client, ensure_indexes
from hub_testkit.plugin import ISSUER
from hub_testkit.processes import free_port
from hub_testkit.tokens import decode as decode_token

runner = CliRunner()


@pytest.fixture
def issuer_env(infra, monkeypatch) -> str:
    """The CLI pointed at the session's real issuer (hub_testkit.issuer), as the development client."""
    url = ISSUER["url"]
    monkeypatch.setenv("HUB_ISSUER_URL", url)
    return url


def test_token_prints_a_token_from_the_issuer_the_services_accept(issuer_env) -> None:
    result = runner.invoke(app, ["token", "--role", "staff", "--sub", "alice", "--hub", "hub-northfield"])
    assert result.exit_code == 0, result.output
    principal = decode_token(result.output.strip().splitlines()[-1])  # the issuer, in this process, logs too
    assert (principal.sub, principal.role, principal.hubs, principal.client_id) == (
        "alice",
        "staff",
        ("hub-northfield",),
        "hub-cli",
    )


def test_token_mints_a_councillor_of_a_hub(issuer_env) -> None:
    result = runner.invoke(app, ["token", "--role", "councillor", "--sub", "cllr-1", "--hub", "hub-northfield"])
    assert result.exit_code == 0, result.output
    principal = decode_token(result.output.strip().splitlines()[-1])
    assert (principal.role, principal.hubs) == ("councillor", ("hub-northfield",))


def test_token_says_when_the_issuer_does_not_answer(monkeypatch) -> None:
    monkeypatch.setenv("HUB_ISSUER_URL", f"http://127.0.0.1:{free_port()}")
    result = runner.invoke(app, ["token", "--role", "staff"])
    assert result.exit_code != 0 and "does not answer" in result.output


def test_partners_are_onboarded_granted_and_revoked_from_the_cli(issuer_env) -> None:
    partner = f"cli-{uuid.uuid4().hex[:8]}"
    added = runner.invoke(
        app,
        [
            "partners",
            "add",
            partner,
            "--organisation",
            "Riverside Tenants",
            "--hub",
            "hub-riverside",
            "--publishes",
            "hub.issues.report.submitted.v1",
            "--contact",
            "Sam Lee <sam@tenants.example>",
        ],
        terminal_width=200,
    )
    assert added.exit_code == 0, added.output
    secret = re.search(r"client_secret: (\S+)", added.output).group(1)
    asked = httpx.post(f"{issuer_env}/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner, secret))
    assert asked.status_code == 200
    assert decode_token(asked.json()["access_token"]).hubs == ("hub-riverside",)
    granted = runner.invoke(app, ["partners", "grant", partner, "--hub", "hub-northfield"], terminal_width=200)
    assert granted.exit_code == 0, granted.output
    form = {"grant_type": "client_credentials"}
    regranted = httpx.post(f"{issuer_env}/oauth/token", data=form, auth=(partner, secret))
    assert decode_token(regranted.json()["access_token"]).hubs == ("hub-northfield", "hub-riverside")
    listed = runner.invoke(app, ["partners", "list"], terminal_width=200)
    assert partner in listed.output
    assert runner.invoke(app, ["partners", "revoke", partner]).exit_code != 0  # says what, or --all
    assert runner.invoke(app, ["partners", "revoke", partner, "--all"]).exit_code == 0
    refused = httpx.post(f"{issuer_env}/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner, secret))
    assert refused.status_code == 401


def test_token_refuses_an_unknown_role() -> None:
    result = runner.invoke(app, ["token", "--role", "mayor"])
    assert result.exit_code != 0 and "role must be one of" in result.output


def test_topics_create_then_list_shows_every_contract_topic(infra) -> None:
    assert runner.invoke(app, ["topics", "create", "--kafka", infra.kafka_bootstrap_servers]).exit_code == 0
    listed = runner.invoke(app, ["topics", "list", "--kafka", infra.kafka_bootstrap_servers], terminal_width=200)
    assert listed.exit_code == 0, listed.output
    assert "missing" not in listed.output
    assert all(topic in listed.output for topic in all_topics())


async def test_dead_letters_are_listed_and_replayed_to_their_origin_without_dlt_headers(infra) -> None:
    bootstrap = infra.kafka_bootstrap_servers
    await operations.create_topics(bootstrap, 3, 1)
    marker = uuid.uuid4().hex
    origin = inbound_topic("notifications")
    headers = [
        ("ce_id", marker.encode()),
        ("ce_type", b"hub.notifications.test.thing.v1"),
        ("hub_dlt_error", b"data does not match"),
        ("hub_dlt_origin_topic", origin.encode()),
        ("hub_dlt_origin_partition", b"0"),
        ("hub_dlt_origin_offset", b"7"),
        ("hub_dlt_failed_at", datetime.now(UTC).isoformat().encode()),
    ]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    await producer.send_and_wait(dlt_topic("notifications"), b'{"fixed": true}', key=marker.encode(), headers=headers)
    await producer.stop()

    letters = await operations.read_dead_letters(bootstrap, "notifications", limit=None)
    [ours] = [letter for letter in letters if letter.header("ce_id") == marker]
    assert ours.origin_topic == origin and ours.error == "data does not match"

    await operations.replay(bootstrap, [ours])
    consumer = AIOKafkaConsumer(origin, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=marker)
    await consumer.start()
    try:
        found = []
        for _ in range(20):
            batches = await consumer.getmany(timeout_ms=500)
            found += [r for records in batches.values() for r in records if r.key == marker.encode()]
            if found:
                break
    finally:
        await consumer.stop()
    [replayed] = found
    assert replayed.value == b'{"fixed": true}'
    assert dict(replayed.headers) == {"ce_id": marker.encode(), "ce_type": b"hub.notifications.test.thing.v1"}


def test_dlt_list_prints_origin_and_error(infra) -> None:
    result = runner.invoke(
        app, ["dlt", "list", "notifications", "--kafka", infra.kafka_bootstrap_servers], terminal_width=250
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"│ \d+:\d+ +│", result.output) or "no dead letters" in result.output


def test_an_unknown_service_is_a_clear_error(infra) -> None:
    result = runner.invoke(app, ["dlt", "list", "parking", "--kafka", infra.kafka_bootstrap_servers])
    assert result.exit_code != 0 and "unknown service" in result.output


async def test_outbox_backlog_counts_pending_events_per_service(infra) -> None:
    client = create_client(infra.mongo_uri, app_name="cli-test")
    outbox = client["hub_assets"]["outbox"]
    try:
        await outbox.delete_many({})
        created = datetime(2026, 1, 1, tzinfo=UTC)
        await outbox.insert_many(
            [
                # A transaction's events in one record; and one written before records held several.
                {"_id": "a", "status": "pending", "created_at": created, "events": [{"_id": "a"}, {"_id": "a2"}]},
                {"_id": "b", "status": "pending", "created_at": datetime.now(UTC)},
                {"_id": "c", "status": "sent", "created_at": created},
            ]
        )
        backlog = await operations.outbox_backlog(infra.mongo_uri, ["assets", "issues"])
        assert backlog["assets"][0] == 3 and backlog["assets"][1] == created
        assert backlog["issues"][0] == 0
    finally:
        await client.drop_database("hub_assets")
        await client.close()


async def test_retention_shows_each_rule_s_latest_run(infra) -> None:
    client = create_client(infra.mongo_uri, app_name="cli-test")
    runs = client["hub_notifications"]["retention_runs"]
    try:
        await runs.delete_many({})
        first, later = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 1, tzinfo=UTC)
        kind = "email and text message content"
        await runs.insert_many(
            [
                {"_id": "1", "kind": kind, "keep_for_days": 7, "cutoff": first, "removed": 40, "ran_at": first},
                {"_id": "2", "kind": kind, "keep_for_days": 7, "cutoff": later, "removed": 3, "ran_at": later},
            ]
        )
        [row] = await operations.retention_runs(infra.mongo_uri, ["notifications"])
        assert (row["service"], row["kind"], row["removed"], row["ran_at"]) == ("notifications", kind, 3, later)
        # The command runs its own event loop: off this test's.
        result = await asyncio.to_thread(
            runner.invoke, app, ["retention", "--mongo", infra.mongo_uri], terminal_width=200
        )
        assert result.exit_code == 0, result.output
        assert "│ notifications │" in result.output and "│ 3 " in result.output  # the latest run only
        assert "2026-01-01 01:00" in result.output
    finally:
        await client.drop_database("hub_notifications")
        await client.close()


async def test_channels_show_the_mail_server_and_the_token_issuer_with_what_waits_for_each(infra) -> None:
    from hub_notifications.adapters.channel_health import ChannelHealthRepository
    from hub_notifications.domain.channels import ChannelHealth, waiting_for_channel

    client = create_client(infra.mongo_uri, app_name="cli-test")
    db = client["hub_notifications"]
    try:
        now = datetime.now(UTC)
        down = ChannelHealth.fresh("issuer", now).could_not_reach("refused", now)
        for _ in range(2):
            down = down.could_not_reach("the token issuer does not answer (ConnectError)", now)
        assert down.down
        await ChannelHealthRepository(db).save(down)
        held = {"status": "temporary_failure", "reason": waiting_for_channel("issuer"), "channel": "email"}
        await db["messages"].insert_many([{"_id": f"m{n}", **held} for n in range(3)])
        rows = await operations.channel_health(infra.mongo_uri)
        assert [(h.id, h.state, n) for h, n in rows] == [("email", "up", 0), ("issuer", "down", 3)]
        result = await asyncio.to_thread(
            runner.invoke, app, ["channels", "--mongo", infra.mongo_uri], terminal_width=250
        )
        assert result.exit_code == 0, result.output
        assert "issuer" in result.output and "down" in result.output and "ConnectError" in result.output
    finally:
        await client.drop_database("hub_notifications")
        await client.close()


async def test_privacy_audit_lists_reads_newest_first_across_services(infra) -> None:
    client = create_client(infra.mongo_uri, app_name="cli-test")
    try:
        when = datetime(2026, 2, 1, 9, tzinfo=UTC)
        for service in SERVICES:  # as each service does at start
            await ensure_indexes(client[f"hub_{service}"], [AUDIT_INDEXES])
        for service, hour in (("volunteers", 9), ("notifications", 10)):
            audit = AccessAudit(client[f"hub_{service}"], service, clock=lambda hour=hour: when.replace(hour=hour))
            await audit.read(
                Principal(sub="sam", role="staff"), kind="record", record_ids=["r1"], person_ids=["p1"], why="read"
            )
        rows = await operations.access_audit(infra.mongo_uri, ["volunteers", "notifications"], person_id="p1")
        assert [row["service"] for row in rows] == ["notifications", "volunteers"]
        result = await asyncio.to_thread(
            runner.invoke, app, ["privacy", "audit", "--person", "p1", "--mongo", infra.mongo_uri], terminal_width=200
        )
        assert result.exit_code == 0, result.output
        assert "sam (staff)" in result.output and "2026-02-01 10:00" in result.output
        ropa = await asyncio.to_thread(runner.invoke, app, ["privacy", "ropa", "--format", "csv"])
        assert ropa.exit_code == 0 and ropa.output.startswith("service,data,fields")
    finally:
        for service in SERVICES:
            await client.drop_database(f"hub_{service}")
        await client.close()


async def test_lag_counts_messages_a_group_has_not_processed(infra) -> None:
    bootstrap = infra.kafka_bootstrap_servers
    group, topic = f"t-lag-{uuid.uuid4().hex[:8]}", inbound_topic("issues")
    await operations.create_topics(bootstrap, 3, 1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, auto_offset_reset="latest"
    )
    await consumer.start()
    try:
        await consumer.seek_to_end()
        for tp in consumer.assignment():
            await consumer.position(tp)
        await consumer.commit()  # the group is up to date now
        for n in range(4):
            await producer.send_and_wait(topic, json.dumps({"n": n}).encode(), key=b"k")
        rows = await operations.consumer_lag(bootstrap, [group])
        assert rows == [(group, topic, 4)]
    finally:
        await consumer.stop()
        await producer.stop()


@pytest.mark.parametrize("command", [["outbox", "--help"], ["lag", "--help"], ["seed", "--help"]])
def test_every_command_documents_itself(command) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 0 and "Usage" in result.output

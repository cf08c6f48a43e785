"""Partners' Kafka access generated from the registry (``hub partners sync-kafka``), on a real broker
with a SASL/SCRAM listener and ACLs, and the real identity service: a partner reads only the topics
of the event types it is granted and writes only its inbound types, another partner's grants give it
nothing of the first's, revoking removes its access and its user, and a sync with nothing to do
says so and changes nothing."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError
from typer.testing import CliRunner, Result

from hub_cli.kafka_access import PartnerAccessBroker, SyncRefused
from hub_cli.main import app
from hub_testkit.issuer import running_issuer

pytestmark = pytest.mark.integration

ISSUE_REPORTED = "hub.issues.issue.reported.v1"  # on hub.issues.events
ASSET_LISTED = "hub.assets.acv.listed.v1"  # on hub.assets.events
REPORT_SUBMITTED = "hub.issues.report.submitted.v1"  # on hub.issues.inbound
DIRECTORY_ENTRY = "hub.assets.directory_entry.submitted.v1"  # on hub.assets.inbound
# Bounds for one client call on a loaded 2-core machine (a refusal comes back in well under a second).
CLIENT_TIMEOUT_S = 60

runner = CliRunner()


@pytest.fixture
def issuer(infra) -> Iterator[str]:
    """A registry of this test's own: the identity service in-process, on the test database server."""
    with running_issuer(infra.kafka_bootstrap_servers, infra.mongo_uri) as url:
        yield url


async def hub(sasl_kafka, issuer: str, *args: str) -> Result:
    """``hub …`` as an operator runs it: the registry at the issuer, the broker as its super user."""
    env = {"HUB_ISSUER_URL": issuer, **sasl_kafka.sasl_env("admin", sasl_kafka.admin_password)}
    # The CLI runs its own event loop (asyncio.run), so it is given a thread of its own.
    result = await asyncio.to_thread(runner.invoke, app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result


def password_of(output: str, partner_id: str) -> str:
    found = re.search(rf"Kafka credentials for {re.escape(partner_id)}: username partner-\S+\s+password (\S+)", output)
    assert found, output
    return found.group(1)


class Partner:
    """A partner's own Kafka clients, on the SASL listener with its SCRAM credentials."""

    def __init__(self, sasl_kafka, partner_id: str, password: str) -> None:
        self.id = partner_id
        self.options = {
            "bootstrap_servers": sasl_kafka.sasl_bootstrap,
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": f"partner-{partner_id}",
            "sasl_plain_password": password,
            "request_timeout_ms": 20_000,
        }

    async def read_one(self, topic: str) -> bytes:
        """The first record of ``topic``, read in one of its own consumer groups."""
        consumer = AIOKafkaConsumer(
            topic, group_id=f"partner-{self.id}-{uuid.uuid4().hex[:6]}", auto_offset_reset="earliest", **self.options
        )
        try:
            await asyncio.wait_for(consumer.start(), CLIENT_TIMEOUT_S)
            record = await asyncio.wait_for(consumer.getone(), CLIENT_TIMEOUT_S)
            return record.value
        finally:
            await consumer.stop()

    async def write(self, topic: str, value: bytes) -> None:
        producer = AIOKafkaProducer(acks="all", **self.options)
        try:
            await asyncio.wait_for(producer.start(), CLIENT_TIMEOUT_S)
            await asyncio.wait_for(producer.send_and_wait(topic, value), CLIENT_TIMEOUT_S)
        finally:
            await producer.stop()


async def seed(sasl_kafka, topic: str, value: bytes) -> None:
    """A record on ``topic``, written past the ACLs (the PLAINTEXT listener), as a service would publish it."""
    producer = AIOKafkaProducer(bootstrap_servers=sasl_kafka.plaintext_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


async def test_partners_read_and_write_only_what_the_registry_grants_until_revoked(sasl_kafka, issuer) -> None:
    suffix = uuid.uuid4().hex[:6]
    a_id, b_id = f"riverside-{suffix}", f"northfield-{suffix}"
    await hub(
        sasl_kafka,
        issuer,
        "partners",
        "add",
        a_id,
        "--organisation",
        "Riverside Housing",
        "--hub",
        "hub-riverside",
        "--consumes",
        ISSUE_REPORTED,
        "--publishes",
        REPORT_SUBMITTED,
    )
    await hub(sasl_kafka, issuer, "partners", "add", b_id, "--organisation", "Northfield Trust",
              "--hub", "hub-northfield", "--consumes", ASSET_LISTED, "--publishes", DIRECTORY_ENTRY)  # fmt: skip

    synced = await hub(sasl_kafka, issuer, "partners", "sync-kafka")
    out = synced.output
    for line in (
        f"partner-{a_id} (active):",
        "created the SCRAM-SHA-512 user",
        "+ Read topic hub.issues.events",
        "+ Describe topic hub.issues.events",
        "+ Write topic hub.issues.inbound",
        f"+ Read group partner-{a_id}-*",
        "+ Read topic hub.assets.events",
        "+ Write topic hub.assets.inbound",
    ):
        assert line in out, out
    assert "hub.contacts" not in out and "hub.privacy" not in out, out
    a = Partner(sasl_kafka, a_id, password_of(out, a_id))
    b = Partner(sasl_kafka, b_id, password_of(out, b_id))
    assert a.options["sasl_plain_password"] != b.options["sasl_plain_password"]

    # A reads the topic of the type it is granted ...
    await seed(sasl_kafka, "hub.issues.events", b"an issue reported")
    await seed(sasl_kafka, "hub.assets.events", b"an asset listed")
    assert await a.read_one("hub.issues.events") == b"an issue reported"
    # ... and no other: not B's, not the contacts or privacy topics, not an inbound topic.
    for topic in ("hub.assets.events", "hub.contacts", "hub.privacy", "hub.issues.inbound"):
        with pytest.raises(TopicAuthorizationFailedError):
            await a.read_one(topic)
    # A writes its granted inbound topic, and no other.
    await a.write("hub.issues.inbound", b"a report from riverside")
    for topic in ("hub.assets.inbound", "hub.issues.events", "hub.contacts"):
        with pytest.raises(TopicAuthorizationFailedError):
            await a.write(topic, b"not allowed")
    # B has its own grants only: nothing of A's.
    assert await b.read_one("hub.assets.events") == b"an asset listed"
    with pytest.raises(TopicAuthorizationFailedError):
        await b.read_one("hub.issues.events")
    with pytest.raises(TopicAuthorizationFailedError):
        await b.write("hub.issues.inbound", b"not allowed")

    again = await hub(sasl_kafka, issuer, "partners", "sync-kafka")
    assert "No change" in again.output and "password" not in again.output, again.output

    # A grant withdrawn is an ACL removed; revoking the partner removes all of them and its user.
    await hub(sasl_kafka, issuer, "partners", "revoke", a_id, "--publishes", REPORT_SUBMITTED)
    narrowed = await hub(sasl_kafka, issuer, "partners", "sync-kafka")
    assert "- Write topic hub.issues.inbound" in narrowed.output, narrowed.output
    with pytest.raises(TopicAuthorizationFailedError):
        await a.write("hub.issues.inbound", b"no longer allowed")

    await hub(sasl_kafka, issuer, "partners", "revoke", a_id, "--all")
    revoked = await hub(sasl_kafka, issuer, "partners", "sync-kafka")
    assert f"partner-{a_id} (revoked):" in revoked.output, revoked.output
    assert "- Read topic hub.issues.events" in revoked.output and "deleted the SCRAM user" in revoked.output
    # Its password no longer signs in (the bootstrap fails), while B's, on the same listener, still does.
    with pytest.raises(KafkaConnectionError):
        await a.read_one("hub.issues.events")
    assert await b.read_one("hub.assets.events") == b"an asset listed"

    settled = await hub(sasl_kafka, issuer, "partners", "sync-kafka")
    assert "No change" in settled.output, settled.output


async def test_rotate_gives_a_partner_a_new_kafka_password_and_the_old_one_stops(sasl_kafka, issuer) -> None:
    partner_id = f"eastgate-{uuid.uuid4().hex[:6]}"
    await hub(sasl_kafka, issuer, "partners", "add", partner_id, "--organisation", "Eastgate Council",
              "--hub", "hub-riverside", "--consumes", ISSUE_REPORTED)  # fmt: skip
    first = await hub(sasl_kafka, issuer, "partners", "sync-kafka")
    old = Partner(sasl_kafka, partner_id, password_of(first.output, partner_id))
    await seed(sasl_kafka, "hub.issues.events", b"an issue reported")
    assert await old.read_one("hub.issues.events")

    rotated = await hub(sasl_kafka, issuer, "partners", "sync-kafka", "--rotate", partner_id)
    assert f"partner-{partner_id} (active):" in rotated.output and "gave it a new password" in rotated.output
    assert "+ " not in rotated.output, rotated.output  # its ACLs were already right
    new = Partner(sasl_kafka, partner_id, password_of(rotated.output, partner_id))
    assert new.options["sasl_plain_password"] != old.options["sasl_plain_password"]
    assert await new.read_one("hub.issues.events")
    with pytest.raises(KafkaConnectionError):
        await old.read_one("hub.issues.events")

    refused = await asyncio.to_thread(
        runner.invoke,
        app,
        ["partners", "sync-kafka", "--rotate", "nobody-here"],
        env={"HUB_ISSUER_URL": issuer, **sasl_kafka.sasl_env("admin", sasl_kafka.admin_password)},
    )
    assert refused.exit_code != 0 and "no active partner: nobody-here" in refused.output, refused.output


async def test_a_broker_without_acls_is_refused_with_a_reason_and_left_alone(infra, issuer) -> None:
    """The default test broker (and make run's) has no authorizer: there is nothing the sync could enforce."""
    await hub_plain(issuer, "partners", "add", f"westfield-{uuid.uuid4().hex[:6]}", "--organisation", "Westfield")
    result = await asyncio.to_thread(
        runner.invoke,
        app,
        ["partners", "sync-kafka", "--kafka", infra.kafka_bootstrap_servers],
        env={"HUB_ISSUER_URL": issuer},
    )
    assert result.exit_code != 0, result.output
    said = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())  # the error box, unwrapped
    assert "the broker has no authorizer" in said, result.output
    assert "password" not in result.output


async def hub_plain(issuer: str, *args: str) -> Result:
    result = await asyncio.to_thread(runner.invoke, app, list(args), env={"HUB_ISSUER_URL": issuer})
    assert result.exit_code == 0, result.output
    return result


async def test_a_sync_that_fails_part_way_still_shows_the_passwords_it_set(sasl_kafka, issuer, monkeypatch) -> None:
    """A later run sees those users exist and would not show them again: they are printed before the error."""
    first_id, second_id = f"aaa-{uuid.uuid4().hex[:6]}", f"zzz-{uuid.uuid4().hex[:6]}"  # planned in this order
    for pid in (first_id, second_id):
        await hub(sasl_kafka, issuer, "partners", "add", pid, "--organisation", pid, "--consumes", ISSUE_REPORTED)
    real_apply = PartnerAccessBroker.apply

    def fail_on_the_second_partner(self, change):
        if change.partner_id == second_id:
            raise SyncRefused("the broker went away (injected)")
        real_apply(self, change)

    monkeypatch.setattr(PartnerAccessBroker, "apply", fail_on_the_second_partner)
    env = {"HUB_ISSUER_URL": issuer, **sasl_kafka.sasl_env("admin", sasl_kafka.admin_password)}
    failed = await asyncio.to_thread(runner.invoke, app, ["partners", "sync-kafka"], env=env)
    assert failed.exit_code != 0 and "injected" in failed.output, failed.output
    assert f"Kafka credentials for {second_id}" not in failed.output
    first = Partner(sasl_kafka, first_id, password_of(failed.output, first_id))

    monkeypatch.setattr(PartnerAccessBroker, "apply", real_apply)
    rerun = await hub(sasl_kafka, issuer, "partners", "sync-kafka")
    assert f"Kafka credentials for {first_id}" not in rerun.output  # it already has its user
    assert password_of(rerun.output, second_id)
    await seed(sasl_kafka, "hub.issues.events", b"an issue reported")
    assert await first.read_one("hub.issues.events")

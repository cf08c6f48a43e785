"""Delivery under load, on the real database and a real SMTP server: lanes, batch claims, leases,
one transaction per batch of events, and SMTP connections reused for many messages."""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from datetime import UTC, datetime, timedelta

from notifications_testkit import issue_reported, message_document
from test_message_delivery import setup, volunteer_event

from hub_common.contracts.contacts import ResidentContactErased, ResidentContactUpserted
from hub_common.envelope import Envelope
from hub_notifications.__main__ import DEFINITION
from hub_notifications.adapters.email import SmtpEmailSender
from hub_notifications.adapters.messages import MESSAGES, Attempted, MessageRepository
from hub_notifications.domain.messages import Message, Outcome
from hub_notifications.service.handoff import Handoff


async def _due(ctx, prefix: str, n: int, *, status: str, since: timedelta) -> None:
    """``n`` messages with ``status``, due since ``since`` ago, a second apart (oldest first)."""
    first = datetime.now(UTC) - since
    await ctx.db[MESSAGES].insert_many(
        [
            message_document(
                f"{prefix}{i}",
                status=status,
                attempts=0 if status == "created" else 1,
                next_attempt_at=first + timedelta(seconds=i),
            )
            for i in range(n)
        ]
    )


async def test_a_message_planned_now_goes_before_retries_and_deferred_messages_due_long_ago(
    service_context, smtp_server
):
    """A new resident's acknowledgement must not wait behind yesterday's failed or deferred messages."""
    ctx, service = await setup(service_context, smtp_server.port, "fresh")
    await _due(ctx, "retry-", 30, status="temporary_failure", since=timedelta(hours=2))
    await _due(ctx, "deferred-", 30, status="deferred", since=timedelta(hours=1))
    await ctx.db[MESSAGES].insert_one(message_document("fresh", status="created"))
    await ctx.db[MESSAGES].insert_one(message_document("urgent", status="temporary_failure", critical=True))

    due = await service.delivery.messages.due_ids(datetime.now(UTC), 20)

    assert due[:2] == ["urgent", "fresh"]  # urgent first, then never-attempted work, then the rest
    assert due[2:] == [f"retry-{i}" for i in range(18)]  # oldest first


async def test_two_workers_claiming_batches_from_one_backlog_attempt_each_message_once(service_context):
    ctx = await service_context(DEFINITION)
    await _due(ctx, "m-", 90, status="created", since=timedelta(minutes=5))
    attempted: list[str] = []

    def worker():
        messages = MessageRepository(ctx.db)

        async def attempt(batch: list[Message], claim: str) -> None:
            attempted.extend(m.id for m in batch)
            await asyncio.sleep(0)  # the other worker reads and claims meanwhile
            done = [Attempted(m, Outcome("delivered")) for m in batch]
            await ctx.uow.run(lambda tx: messages.finish_many(done, claim, datetime.now(UTC), tx.session))

        return messages, attempt

    (one, first), (two, second) = worker(), worker()
    counts = await asyncio.gather(
        one.attempt_due_in_batches(first, limit=200, batch=10), two.attempt_due_in_batches(second, limit=200, batch=10)
    )

    assert sum(counts) == 90 and sorted(attempted) == sorted(f"m-{i}" for i in range(90))
    assert await ctx.db[MESSAGES].count_documents({"status": "delivered", "claim": {"$exists": False}}) == 90


async def test_a_live_worker_keeps_its_claim_past_the_lease_and_a_dead_ones_is_due_again_after_it(service_context):
    ctx = await service_context(DEFINITION)
    lease = timedelta(seconds=1.5)
    live, other = MessageRepository(ctx.db, lease), MessageRepository(ctx.db, lease)
    await _due(ctx, "slow-", 1, status="created", since=timedelta(minutes=1))
    seen_by_other: list[list[str]] = []

    async def slow_send(batch: list[Message], claim: str) -> None:
        # A send that takes three leases (a slow mail server): the claim is renewed all along, so the
        # other worker never sees the message due.
        until = time.monotonic() + 3 * lease.total_seconds()
        while time.monotonic() < until:
            seen_by_other.append(await other.due_ids(datetime.now(UTC), 10))
            await asyncio.sleep(0.1)
        await ctx.uow.run(
            lambda tx: live.finish_many(
                [Attempted(batch[0], Outcome("delivered"))], claim, datetime.now(UTC), tx.session
            )
        )

    assert await live.attempt_due_in_batches(slow_send, limit=10) == 1
    assert len(seen_by_other) > 20 and not any(seen_by_other)
    assert (await ctx.db[MESSAGES].find_one({"_id": "slow-0"}))["status"] == "delivered"

    # A worker that claims and dies renews nothing: its message is due again one lease later.
    await _due(ctx, "orphan-", 1, status="created", since=timedelta(minutes=1))
    [claimed] = await live.claim_many(["orphan-0"], datetime.now(UTC), "dead-worker")
    assert claimed.attempts == 1 and await other.due_ids(datetime.now(UTC), 10) == []
    deadline = time.monotonic() + 15
    while await other.due_ids(datetime.now(UTC), 10) != ["orphan-0"]:
        assert time.monotonic() < deadline, "the dead worker's message never became due again"
        await asyncio.sleep(0.1)
    # The dead worker's late record (it came back) does not overwrite the new claim's.
    [again] = await other.claim_many(["orphan-0"], datetime.now(UTC), "second-worker")
    await ctx.uow.run(
        lambda tx: live.finish_many(
            [Attempted(again, Outcome("skipped", "late"))], "dead-worker", datetime.now(UTC), tx.session
        )
    )
    doc = await ctx.db[MESSAGES].find_one({"_id": "orphan-0"})
    assert doc["status"] == "sending" and doc["claim"] == "second-worker" and doc["attempts"] == 2


async def test_a_record_meeting_a_claim_committed_after_its_read_runs_again_and_leaves_the_new_claim(
    service_context,
):
    """A record reads which messages are still its own and then writes them by id alone: another
    worker's claim committed in between is a write conflict, and the record run again leaves it."""
    ctx = await service_context(DEFINITION)
    lease = timedelta(seconds=10)
    first, second = MessageRepository(ctx.db, lease), MessageRepository(ctx.db, lease)
    await _due(ctx, "raced-", 2, status="created", since=timedelta(minutes=1))
    claimed = await first.claim_many(["raced-0", "raced-1"], datetime.now(UTC), "first")
    # The first worker's lease on raced-1 ran out (its clock says so), and the second claims it.
    await ctx.db[MESSAGES].update_one({"_id": "raced-1"}, {"$set": {"next_attempt_at": datetime.now(UTC)}})
    runs = []

    async def record(tx) -> None:
        runs.append(await first._held_under(["raced-0", "raced-1"], "first", tx.session))
        if len(runs) == 1:  # after this transaction's snapshot, before its writes
            assert [m.id for m in await second.claim_many(["raced-1"], datetime.now(UTC), "second")] == ["raced-1"]
        outcomes = [Attempted(m, Outcome("delivered")) for m in claimed]
        await first.finish_many(outcomes, "first", datetime.now(UTC), tx.session)

    await ctx.uow.run(record)

    assert len(runs) == 2 and set(runs[0]) == {"raced-0", "raced-1"} and set(runs[1]) == {"raced-0"}
    done, raced = [await ctx.db[MESSAGES].find_one({"_id": f"raced-{i}"}) for i in range(2)]
    assert done["status"] == "delivered" and "claim" not in done
    assert raced["status"] == "sending" and raced["claim"] == "second"


async def test_a_reminder_planned_and_called_off_in_one_batch_of_events_is_never_sent(service_context, smtp_server):
    """The consumer handles a batch of events in one transaction, and planned messages are written in
    one bulk call before it commits: a cancellation later in the same batch must still find them."""
    ctx, _ = await setup(service_context, smtp_server.port, "vol-batch")
    starts = datetime.now(UTC) + timedelta(days=3)
    signup = {"signup_id": "shift-b:vol-batch", "shift_id": "shift-b", "volunteer_id": "vol-batch", "starts_at": starts}
    confirmed = volunteer_event("hub.volunteers.signup.confirmed.v1", signup)
    cancelled = volunteer_event("hub.volunteers.signup.cancelled.v1", {**signup, "was": "confirmed"})
    handlers = ctx.components.handlers

    async def batch(tx) -> None:
        await handlers[confirmed.type](confirmed, tx)
        await handlers[cancelled.type](cancelled, tx)

    await ctx.uow.run(batch)

    reminders = [m async for m in ctx.db[MESSAGES].find({"message_type": "shift_reminder"})]
    assert reminders and {m["status"] for m in reminders} == {"skipped"}


async def test_a_person_erased_later_in_the_same_batch_of_events_is_sent_nothing_planned_before(
    service_context, smtp_server
):
    ctx, service = await setup(service_context, smtp_server.port, "erased-in-batch", channels=("email",))
    reported = issue_reported("E-1", reporter="erased-in-batch")
    erased = Envelope(
        id=str(uuid.uuid4()),
        source="/hub/issues",
        type=ResidentContactErased.event_type,
        time=datetime.now(UTC),
        subject="erased-in-batch",
        data=ResidentContactErased(person_id="erased-in-batch"),
    )
    handlers = ctx.components.handlers

    async def batch(tx) -> None:
        await handlers[reported.type](reported, tx)
        await handlers[erased.type](erased, tx)

    await ctx.uow.run(batch)
    await service.delivery.deliver_due()

    # What the report planned is never written for someone forgotten in the same batch (and anything
    # written earlier would be skipped and stripped): nothing pending, nothing naming them, nothing sent.
    planned = [m async for m in ctx.db[MESSAGES].find({"event_id": reported.id})]
    assert all((m["status"], m["person_id"]) == ("skipped", "erased") for m in planned)
    assert await ctx.db[MESSAGES].count_documents({"person_id": "erased-in-batch"}) == 0
    assert smtp_server.to("erased-in-batch@example.org") == []


async def test_a_burst_past_the_hourly_limit_reaches_a_person_as_one_digest_when_the_window_frees_up(
    service_context, smtp_server
):
    """Staff alerted of every new report get the throttle's count of single emails, then one digest
    listing the rest, not dozens of deferred alerts re-polled every few minutes and sent stale."""
    ctx, service = await setup(service_context, smtp_server.port, "many")
    service.delivery.recipients.max_per_hour = 3
    for n in range(8):
        await ctx.uow.run(lambda tx, n=n: service.planning.plan(issue_reported(f"M-{n}", reporter="many"), tx))
    await service.delivery.deliver_due()  # one batch: its sends go out at once, and keep to the limit
    assert len(smtp_server.to("many@example.org")) == 3
    emails = [d async for d in ctx.db[MESSAGES].find({"person_id": "many", "channel": "email"})]
    assert sorted(d["status"] for d in emails) == ["delivered"] * 3 + ["digest_pending"] * 5
    delivered_at = min(d["updated_at"] for d in emails if d["status"] == "delivered")
    held = [d for d in emails if d["status"] == "digest_pending"]
    # Held until the first of the three is an hour old:
    [frees_at] = {d["next_attempt_at"] for d in held}  # one moment for all, so one digest
    assert abs(frees_at - (delivered_at + timedelta(hours=1))) < timedelta(seconds=5)
    assert await service.delivery.deliver_due() == 0  # not polled again meanwhile

    await ctx.db[MESSAGES].update_many(
        {"_id": {"$in": [d["_id"] for d in held]}}, {"$set": {"next_attempt_at": datetime.now(UTC)}}
    )
    assert await service.delivery.send_digests() == 1
    digest = smtp_server.to("many@example.org")[3:]
    assert len(digest) == 1 and digest[0]["Subject"].startswith("Your community hub update: 5 messages since ")
    body = digest[0].get_content()
    assert body.count("We have your report: Litter") == 5  # each held message's text, once
    statuses = {d["status"] async for d in ctx.db[MESSAGES].find({"person_id": "many", "channel": "email"})}
    assert statuses == {"delivered"}


async def test_many_emails_share_a_few_smtp_connections_and_a_restarted_server_is_reconnected(smtp_server):
    sender = SmtpEmailSender("127.0.0.1", smtp_server.port, "Hub <hub@hub.localhost>", connections=2)
    await asyncio.gather(
        *(sender.send(to=f"r{n}@example.org", subject="Hi", body="...", message_id=f"id-{n}") for n in range(12))
    )
    assert len(smtp_server.messages) == 12
    assert sender.opened == 2  # not one connection per message

    # The server restarts: the connections kept open are dead, and the next message goes on a new one.
    from aiosmtpd.controller import Controller

    smtp_server.controller.stop()
    smtp_server.controller = Controller(smtp_server, hostname="127.0.0.1", port=smtp_server.port)
    smtp_server.controller.start()
    await sender.send(to="after@example.org", subject="Hi", body="...", message_id="id-after")
    assert len(smtp_server.to("after@example.org")) == 1 and sender.opened == 3
    await sender.close()


async def test_a_mail_server_outage_holds_emails_without_spending_attempts_and_a_probe_releases_them_at_once(
    service_context, smtp_server
):
    """Channel health: after a few sends that find no server, the channel is down; emails wait for it
    (no attempt each, no backoff of minutes); the worker probes, and when the server answers again
    everything that waited is due at once and goes, each once."""
    from aiosmtpd.controller import Controller

    from hub_notifications.domain.channels import UNREACHABLE_LIMIT, waiting_for_channel

    ctx, service = await setup(service_context, smtp_server.port, "outage")
    service.delivery.recipients.max_per_hour = 0
    smtp_server.controller.stop()  # the mail server goes away
    for n in range(8):
        await ctx.uow.run(lambda tx, n=n: service.planning.plan(issue_reported(f"O-{n}", reporter="outage"), tx))
    await service.delivery.deliver_due()

    assert service.channels.is_down("email")
    held = waiting_for_channel("email")
    emails = [d async for d in ctx.db[MESSAGES].find({"person_id": "outage", "channel": "email"})]
    waiting = [d for d in emails if d["reason"] == held]
    assert len(waiting) >= 8 - (UNREACHABLE_LIMIT - 1)  # at most the sends before it went down retry on their own
    # Each tried at most once (those that found the channel already down were not tried at all).
    assert all(d["status"] == "temporary_failure" and d["attempts"] <= 1 for d in emails)
    [(email, count)] = [(h, n) for h, n in await service.channels.states() if h.id == "email"]
    assert email.state == "down" and count == len(waiting) and "unreachable" in email.last_error

    # A report made during the outage waits too, without a send being tried for it.
    await ctx.uow.run(lambda tx: service.planning.plan(issue_reported("O-late", reporter="outage"), tx))
    await service.delivery.deliver_due()
    late = await ctx.db[MESSAGES].find_one({"values.issue_id": "O-late", "channel": "email"})
    assert (late["status"], late["reason"], late["attempts"]) == ("temporary_failure", held, 0)  # nothing tried

    smtp_server.controller = Controller(smtp_server, hostname="127.0.0.1", port=smtp_server.port)
    smtp_server.controller.start()  # the server answers again
    back = time.monotonic()
    while len(smtp_server.to("outage@example.org")) < 9:
        assert time.monotonic() - back < 15, "the held emails were not released within 15 s"
        await service.delivery.deliver_due()  # what the worker's loop does every second
        await asyncio.sleep(0.2)
    assert not service.channels.is_down("email")
    ids = [m["X-Hub-Message-Id"] for m in smtp_server.to("outage@example.org")]
    assert len(ids) == len(set(ids)) == 9  # each once
    assert (
        await ctx.db[MESSAGES].count_documents({"person_id": "outage", "channel": "email", "status": "delivered"}) == 9
    )
    [(email, count)] = [(h, n) for h, n in await service.channels.states() if h.id == "email"]
    assert email.state == "up" and count == 0


async def test_a_token_issuer_outage_holds_only_emails_with_sign_in_links_and_its_return_releases_them_at_once(
    service_context, smtp_server, infra
):
    """The issuer is kept like a mail server: after a few token requests that find no issuer, emails
    with a sign-in link wait for it (no attempt spent, no backoff of minutes), and no token is asked
    while it is away; emails without a link go meanwhile; when it answers again a probe finds it and
    what waited goes at once, each once, with a token that verifies."""
    from hub_notifications.domain.channels import UNREACHABLE_LIMIT, waiting_for_channel
    from hub_testkit.issuer import running_issuer
    from hub_testkit.processes import free_port
    from hub_testkit.tokens import decode

    port = free_port()
    servers = (infra.kafka_bootstrap_servers, infra.mongo_uri)
    with running_issuer(*servers, port=port) as issuer:
        ctx, service = await setup(service_context, smtp_server.port, "no-issuer", issuer_url=issuer)
    service.delivery.recipients.max_per_hour = 0  # the issuer stopped as the block ended
    for n in range(6):
        await ctx.uow.run(lambda tx, n=n: service.planning.plan(issue_reported(f"T-{n}", reporter="no-issuer"), tx))
    await service.delivery.deliver_due()

    assert service.channels.is_down("issuer") and not service.channels.is_down("email")
    held = waiting_for_channel("issuer")
    emails = [d async for d in ctx.db[MESSAGES].find({"person_id": "no-issuer", "channel": "email"})]
    assert len([d for d in emails if d["reason"] == held]) >= 6 - (UNREACHABLE_LIMIT - 1)
    assert all(d["status"] == "temporary_failure" and d["attempts"] <= 1 for d in emails)
    assert smtp_server.to("no-issuer@example.org") == []  # none went without its token

    # While it is away: a message without a link goes; one with a link is held without a request.
    signup = {"signup_id": "s-1:no-issuer", "shift_id": "s-1", "volunteer_id": "no-issuer"}
    signup["starts_at"] = datetime.now(UTC) + timedelta(days=3)
    await ctx.uow.run(
        lambda tx: service.planning.plan(volunteer_event("hub.volunteers.signup.confirmed.v1", signup), tx)
    )
    await ctx.uow.run(lambda tx: service.planning.plan(issue_reported("T-late", reporter="no-issuer"), tx))
    await service.delivery.deliver_due()
    [confirmation] = smtp_server.to("no-issuer@example.org")
    assert confirmation["Subject"] == "Your place is confirmed"
    late = await ctx.db[MESSAGES].find_one({"values.issue_id": "T-late", "channel": "email"})
    assert (late["status"], late["reason"], late["attempts"]) == ("temporary_failure", held, 0)
    [(issuer_health, waiting)] = [(h, n) for h, n in await service.channels.states() if h.id == "issuer"]
    holding = await ctx.db[MESSAGES].count_documents({"person_id": "no-issuer", "reason": held})
    assert issuer_health.state == "down" and waiting == holding >= 7 - (UNREACHABLE_LIMIT - 1)

    with running_issuer(*servers, port=port):  # the issuer answers again, on the same address
        back = time.monotonic()
        while len(smtp_server.to("no-issuer@example.org")) < 8:
            assert time.monotonic() - back < 15, "the emails held for the issuer were not released within 15 s"
            await service.delivery.deliver_due()  # what the worker's loop does every second
            await asyncio.sleep(0.2)
        assert not service.channels.is_down("issuer")
    acknowledgements = [m for m in smtp_server.to("no-issuer@example.org") if m["Subject"] != "Your place is confirmed"]
    ids = [m["X-Hub-Message-Id"] for m in acknowledgements]
    assert len(ids) == len(set(ids)) == 7  # each once
    for email in acknowledgements:
        token = email.get_content().split("?token=")[1].split()[0]
        assert (decode(token).sub, decode(token).role) == ("no-issuer", "resident")
    [(issuer_health, waiting)] = [(h, n) for h, n in await service.channels.states() if h.id == "issuer"]
    assert issuer_health.state == "up" and waiting == 0


async def test_an_issuer_that_hangs_opens_the_breaker_after_its_timeout_and_is_then_asked_for_no_more_tokens(
    service_context, smtp_server
):
    """An issuer that takes connections and never answers: the first token requests give up at the
    client's timeout, the breaker opens, and later rounds ask for no token (only probes)."""
    from hub_notifications.domain.channels import waiting_for_channel

    requests: list[str] = []

    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append((await reader.readline()).decode().split(" ")[1])  # e.g. /oauth/token
        await asyncio.sleep(3600)

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        ctx, service = await setup(service_context, smtp_server.port, "hung", issuer_url=f"http://127.0.0.1:{port}")
        service.delivery.recipients.max_per_hour = 0
        for n in range(6):
            await ctx.uow.run(lambda tx, n=n: service.planning.plan(issue_reported(f"H-{n}", reporter="hung"), tx))
        started = time.monotonic()
        await service.delivery.deliver_due()
        assert time.monotonic() - started < 15  # the 2 s timeout, not the batch waiting on each in turn
        assert service.channels.is_down("issuer")
        asked = requests.count("/oauth/token")
        assert 3 <= asked <= 6

        await ctx.uow.run(lambda tx: service.planning.plan(issue_reported("H-late", reporter="hung"), tx))
        await service.delivery.deliver_due()
        assert requests.count("/oauth/token") == asked  # no token asked while it is down (probes only)
        late = await ctx.db[MESSAGES].find_one({"values.issue_id": "H-late", "channel": "email"})
        assert (late["reason"], late["attempts"]) == (waiting_for_channel("issuer"), 0)
        assert smtp_server.to("hung@example.org") == []
    finally:
        server.close()


async def test_operators_see_each_channel_in_the_api(api) -> None:
    staff = api.auth("operator")
    listed = (await api.client.get("/v1/channels", headers=staff)).json()
    assert [(c["channel"], c["state"], c["held"]) for c in listed] == [("email", "up", 0), ("issuer", "up", 0)]
    assert (await api.client.get("/v1/channels", headers=api.auth("resident"))).status_code == 403


async def test_a_claim_meeting_a_consumer_batch_that_updates_the_same_message_does_not_hang_either(service_context):
    """On SecantusDB a write outside a transaction that meets a transaction's uncommitted change
    blocked that transaction's next write: the consumer's batch and the delivery's claim hung for good
    under a burst. Claims run in transactions of their own, so one of the two retries instead."""
    ctx = await service_context(DEFINITION)
    messages = MessageRepository(ctx.db)
    await _due(ctx, "contended-", 2, status="temporary_failure", since=timedelta(minutes=1))
    updated = asyncio.Event()

    async def consumer_batch(tx) -> None:  # e.g. a contact arrives and wakes the person's messages
        await ctx.db[MESSAGES].update_one({"_id": "contended-0"}, {"$set": {"woken": True}}, session=tx.session)
        updated.set()
        await asyncio.sleep(0.5)  # the window in which the claim meets the uncommitted change
        await ctx.db[MESSAGES].update_one({"_id": "contended-1"}, {"$set": {"woken": True}}, session=tx.session)

    async def claim() -> list[Message]:
        await updated.wait()
        return await messages.claim_many(["contended-0", "contended-1"], datetime.now(UTC), "worker")

    batch = asyncio.create_task(ctx.uow.run(consumer_batch))
    got = await asyncio.wait_for(claim(), 30)
    await asyncio.wait_for(batch, 30)
    docs = {d["_id"]: d async for d in ctx.db[MESSAGES].find({"_id": {"$regex": "^contended-"}})}
    assert all(d.get("woken") for d in docs.values())  # the batch committed
    assert {m.id for m in got} <= set(docs) and all(docs[m.id]["claim"] == "worker" for m in got)


async def test_a_batch_learns_its_contacts_together_newest_details_win_and_its_messages_need_not_wait(
    service_context, smtp_server
):
    ctx, service = await setup(service_context, smtp_server.port, "someone-else")
    now = datetime.now(UTC)

    def contact(name: str, at: datetime) -> Envelope:
        return Envelope(
            id=str(uuid.uuid4()),
            source="/hub/issues",
            type=ResidentContactUpserted.event_type,
            time=at,
            subject="batch-person",
            data=ResidentContactUpserted(
                person_id="batch-person",
                display_name=name,
                email="batch-person@example.org",
                hub_ids=["hub-northfield"],
                consented_channels=["email"],
            ),
        )

    # The report comes first (another topic can overtake the contact), then newer details, then older.
    events = [
        issue_reported("B-1", reporter="batch-person"),
        contact("Newer", now),
        contact("Older", now - timedelta(minutes=5)),
    ]
    handlers = ctx.components.handlers

    async def batch(tx) -> None:
        for event in events:
            await handlers[event.type](event, tx)

    await ctx.uow.run(batch)
    assert (await service.contacts.contacts.get("batch-person")).display_name == "Newer"
    messages = {m["channel"]: m async for m in ctx.db[MESSAGES].find({"person_id": "batch-person"})}
    assert messages["inapp"]["status"] == "delivered"
    # Ready to send, no wait for the contact: claimed by the planning worker, which sends it itself.
    assert messages["email"]["status"] == "sending" and messages["email"]["claim"]
    assert await service.delivery.deliver_due() == 1
    assert len(smtp_server.to("batch-person@example.org")) == 1


async def test_a_ready_email_is_written_claimed_by_the_worker_that_planned_it_and_sent_by_it_at_once(
    service_context, smtp_server
):
    """No insert, due read, claim and read-back per message: the planning worker holds it from the start,
    so no other worker sees it due, and its own delivery sends it as soon as the batch commits."""
    ctx, service = await setup(service_context, smtp_server.port, "handed")
    other = MessageRepository(ctx.db)
    await ctx.uow.run(lambda tx: service.planning.plan(issue_reported("H-1", reporter="handed"), tx))

    email = await ctx.db[MESSAGES].find_one({"person_id": "handed", "channel": "email"})
    assert email["status"] == "sending" and email["attempts"] == 1 and email["claim"]
    assert len(service.delivery.handoff) == 1
    assert await other.due_ids(datetime.now(UTC), 10) == []  # not due for anyone else while leased
    assert await service.delivery.deliver_due() == 1
    assert len(smtp_server.to("handed@example.org")) == 1
    email = await ctx.db[MESSAGES].find_one({"_id": email["_id"]})
    assert email["status"] == "delivered" and "claim" not in email


async def test_an_email_handed_to_a_worker_that_dies_before_sending_goes_once_from_another_after_the_lease(
    service_context, smtp_server
):
    ctx, service = await setup(service_context, smtp_server.port, "orphaned", sending_lease_s=1.5)
    await ctx.uow.run(lambda tx: service.planning.plan(issue_reported("H-2", reporter="orphaned"), tx))
    service.delivery.handoff.take()  # the planning worker is gone: what it held in memory with it

    deadline = time.monotonic() + 20
    while not smtp_server.to("orphaned@example.org"):
        assert time.monotonic() < deadline, "the dead worker's email was never sent"
        await service.delivery.deliver_due()
        await asyncio.sleep(0.2)
    email = await ctx.db[MESSAGES].find_one({"person_id": "orphaned", "channel": "email"})
    assert email["status"] == "delivered" and email["attempts"] == 2  # the dead claim counted one
    assert len(smtp_server.to("orphaned@example.org")) == 1


async def test_a_handed_email_that_waited_past_its_lease_and_went_to_another_worker_is_not_sent_twice(
    service_context, smtp_server
):
    ctx, service = await setup(service_context, smtp_server.port, "waited", sending_lease_s=1.5)
    await ctx.uow.run(lambda tx: service.planning.plan(issue_reported("H-3", reporter="waited"), tx))
    [handed] = service.delivery.handoff.take()
    # It waits behind a long delivery round, past a third of its lease (0.5 s) ...
    deadline = time.monotonic() + 10
    while not service.delivery.handoff.stale(handed):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    [doc] = [d async for d in ctx.db[MESSAGES].find({"person_id": "waited", "channel": "email"})]
    taken = {"claim": "other-worker", "next_attempt_at": datetime.now(UTC) + timedelta(minutes=1)}
    await ctx.db[MESSAGES].update_one({"_id": doc["_id"]}, {"$set": taken})  # ... and another worker took it
    service.delivery.handoff._handed.append(handed)  # handed over as it was, the wait counted

    assert await service.delivery.deliver_due() == 0
    assert smtp_server.to("waited@example.org") == []


async def test_two_workers_sending_to_one_person_at_once_keep_to_the_hourly_limit_together(
    service_context, smtp_server
):
    """The throttle is decided, and the sends it allows noted, in one transaction before sending: two
    workers deciding at once conflict, and the one run again counts the other's sends."""
    ctx, service = await setup(service_context, smtp_server.port, "busy")
    service.delivery.recipients.max_per_hour = 3
    for n in range(8):
        await ctx.uow.run(lambda tx, n=n: service.planning.plan(issue_reported(f"T-{n}", reporter="busy"), tx))
    handed = service.delivery.handoff.take()
    assert len(handed) == 8

    def worker(part: list) -> object:
        delivery = copy.copy(service.delivery)
        delivery.handoff = Handoff(timedelta(seconds=10))
        for h in part:
            delivery.handoff.hand(h.claim, h.messages)
        return delivery

    first, second = worker(handed[0::2]), worker(handed[1::2])
    await asyncio.gather(first.deliver_due(), second.deliver_due())

    assert len(smtp_server.to("busy@example.org")) == 3
    emails = [d["status"] async for d in ctx.db[MESSAGES].find({"person_id": "busy", "channel": "email"})]
    assert sorted(emails) == ["delivered"] * 3 + ["digest_pending"] * 5


async def test_a_consumer_batch_that_planned_more_than_a_delivery_batch_is_sent_a_delivery_batch_at_a_time(
    service_context, smtp_server
):
    """At most one delivery batch is ever sent and not yet recorded (what a worker killed -9 may repeat),
    however many emails one batch of events handed over."""
    ctx, service = await setup(service_context, smtp_server.port, "many-at-once")
    delivery = service.delivery
    delivery.batch_size = 3

    async def plan_seven(tx) -> None:
        for n in range(7):
            await service.planning.plan(issue_reported(f"S-{n}", reporter="many-at-once"), tx)

    await ctx.uow.run(plan_seven)
    assert len(delivery.handoff) == 7
    sizes: list[int] = []
    send_batch = delivery._deliver_batch

    async def noting(batch, claim):
        sizes.append(len(batch))
        await send_batch(batch, claim)

    delivery._deliver_batch = noting
    assert await delivery.deliver_due() == 7
    assert sizes == [3, 3, 1] and len(smtp_server.to("many-at-once@example.org")) == 7


async def test_an_email_planned_while_a_backlog_drains_goes_after_the_batch_being_sent_not_after_the_round(
    service_context, smtp_server
):
    """While a released backlog drains (after a mail server outage), what planning hands over is sent
    before the queue's next batch: a new resident does not wait for a whole round of batches."""
    ctx, service = await setup(service_context, smtp_server.port, "new-resident")
    delivery = service.delivery
    delivery.batch_size = 3
    await _due(ctx, "backlog-", 12, status="temporary_failure", since=timedelta(minutes=10))
    batches: list[list[str]] = []
    send_batch = delivery._deliver_batch

    async def noting(batch, claim):
        batches.append([m.id for m in batch])
        if len(batches) == 1:  # a report arrives while the first batch of the backlog is being sent
            await ctx.uow.run(lambda tx: service.planning.plan(issue_reported("D-1", reporter="new-resident"), tx))
        await send_batch(batch, claim)

    delivery._deliver_batch = noting
    assert await delivery.deliver_due() == 13  # the backlog, and the acknowledgement (its in-app copy is settled)
    assert batches[0][0].startswith("backlog-")
    fresh = next(i for i, ids in enumerate(batches) if not ids[0].startswith("backlog-"))
    assert fresh == 1, batches  # straight after the batch in hand, before the other three
    assert len(smtp_server.to("new-resident@example.org")) == 1

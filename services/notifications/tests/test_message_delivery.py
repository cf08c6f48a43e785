"""Message delivery on the real database to a real SMTP server: consent, preferences, digests, retries."""

from __future__ import annotations

import asyncio
import socket
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from notifications_testkit import issue_reported, message_document

from hub_common.auth import Principal
from hub_common.contracts.contacts import ResidentContactUpserted
from hub_common.envelope import Envelope
from hub_notifications.__main__ import DEFINITION
from hub_notifications.adapters.messages import MESSAGES
from hub_notifications.domain.contacts import Contact
from hub_notifications.domain.messages import WAITING_FOR_CONTACT
from hub_testkit.outbox import count_outbox_events, outbox_events

LONDON = ZoneInfo("Europe/London")


async def setup(service_context, smtp_port: int, person: str, channels=("email",), language="en", **settings):
    ctx = await service_context(DEFINITION, smtp_port=smtp_port, **settings)
    service = ctx.components.use_cases
    contact = Contact(
        id=person,
        display_name="Alex",
        email=f"{person}@example.org",
        phone=None,
        language=language,
        hub_ids=("hub-northfield",),
        consented_channels=tuple(channels),
        source="/hub/issues",
        updated_at=datetime.now(UTC),
    )
    await ctx.uow.run(lambda tx: service.contacts.contacts.save(contact, tx.session))
    return ctx, service


async def report(ctx, service, issue_id: str, person: str) -> None:
    await ctx.uow.run(
        lambda tx: service.planning.plan(issue_reported(issue_id, reporter=person, service_code="graffiti"), tx)
    )


async def statuses(ctx, person: str) -> dict[str, str]:
    return {d["channel"]: d["status"] async for d in ctx.db[MESSAGES].find({"person_id": person})}


async def test_a_person_who_did_not_consent_to_email_gets_only_the_in_app_message(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "no-email", channels=())
    await report(ctx, service, "I-1", "no-email")
    await service.delivery.deliver_due()
    assert await statuses(ctx, "no-email") == {"email": "skipped", "inapp": "delivered"}
    assert smtp_server.messages == []


async def test_opting_out_by_email_skips_it_and_quiet_hours_defer_it(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "quiet")
    await service.preferences.save("quiet", {"opt_outs": ["issue_updates:email"]}, None)
    await report(ctx, service, "I-2", "quiet")
    await service.delivery.deliver_due()
    assert (await statuses(ctx, "quiet"))["email"] == "skipped"

    always_quiet = {"start": "00:00", "end": "23:59:59"}
    await service.preferences.save("quiet", {"opt_outs": [], "quiet_hours": always_quiet}, None)
    await report(ctx, service, "I-3", "quiet")
    await service.delivery.deliver_due()
    deferred = await ctx.db[MESSAGES].find_one({"person_id": "quiet", "channel": "email", "status": "deferred"})
    assert deferred is not None and deferred["next_attempt_at"] > datetime.now(UTC)
    assert smtp_server.messages == []


async def test_a_daily_digest_collects_messages_into_one_email(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "digest")
    await service.preferences.save("digest", {"digest": "daily"}, None)
    for n in range(3):
        await report(ctx, service, f"D-{n}", "digest")
    await service.delivery.deliver_due()
    pending = ctx.db[MESSAGES].find({"person_id": "digest", "channel": "email"})
    assert [d["status"] async for d in pending] == ["digest_pending"] * 3
    assert await service.delivery.send_digests() == 0  # not due until 08:00

    await ctx.db[MESSAGES].update_many(  # it is now the morning after
        {"status": "digest_pending"}, {"$set": {"next_attempt_at": datetime.now(UTC) - timedelta(minutes=1)}}
    )
    assert await service.delivery.send_digests() == 1
    [email] = smtp_server.to("digest@example.org")
    assert "3 messages" in email["Subject"]
    assert all(f"D-{n}" in email.get_content() for n in range(3))
    assert (
        await ctx.db[MESSAGES].count_documents({"person_id": "digest", "channel": "email", "status": "delivered"}) == 3
    )


async def test_an_unreachable_mail_server_is_a_temporary_failure_retried_later(service_context):
    with socket.socket() as sock:  # a port with no mail server behind it
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    ctx, service = await setup(service_context, closed_port, "retry")
    await report(ctx, service, "R-1", "retry")
    await service.delivery.deliver_due()
    message = await ctx.db[MESSAGES].find_one({"person_id": "retry", "channel": "email"})
    assert message["status"] == "temporary_failure" and message["attempts"] == 1
    assert message["next_attempt_at"] > datetime.now(UTC)


async def test_an_email_left_sending_by_a_dead_worker_goes_again_after_the_lease_with_its_message_id(
    service_context, smtp_server
):
    ctx, service = await setup(service_context, smtp_server.port, "crashed", sending_lease_s=2)
    await report(ctx, service, "C-1", "crashed")
    # The worker that planned the email holds it (see Handoff), the mail server accepts it, and the
    # worker dies before recording that.
    [handed] = service.delivery.handoff.take()
    [claimed] = [m for m in handed.messages if m.channel == "email"]
    await service.delivery.email.send(to="crashed@example.org", subject="Thanks", body="...", message_id=claimed.id)

    await service.delivery.deliver_due()
    assert len(smtp_server.to("crashed@example.org")) == 1  # the email is still leased to the dead worker
    await asyncio.sleep(2.1)
    await service.delivery.deliver_due()  # the lease ran out: it goes again
    first, again = smtp_server.to("crashed@example.org")
    assert first["Message-ID"] == again["Message-ID"] == f"<{claimed.id}@hub.localhost>"
    message = await ctx.db[MESSAGES].find_one({"_id": claimed.id})
    assert message["status"] == "delivered" and message["attempts"] == 2


async def test_workers_draining_one_backlog_together_send_each_email_once(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "backlog")
    service.delivery.recipients.max_per_hour = 0
    for n in range(30):
        await report(ctx, service, f"B-{n}", "backlog")
    # Both read the same due ids; each message is claimed by one of them only.
    attempted = await asyncio.gather(service.delivery.deliver_due(), service.delivery.deliver_due())
    assert sum(attempted) == 30  # each email attempted once (in-app ones were delivered as planned)
    emails = smtp_server.to("backlog@example.org")
    assert len(emails) == 30 and len({e["X-Hub-Message-Id"] for e in emails}) == 30
    assert await ctx.db[MESSAGES].count_documents({"person_id": "backlog", "status": "delivered"}) == 60


async def test_a_rule_switched_off_for_a_hub_creates_no_messages_there(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "switched")
    staff = Principal(sub="staff-1", role="staff", hubs=("hub-northfield",))
    await service.rules.switch(staff, "hub-northfield", "issue_acknowledgement", False)
    await report(ctx, service, "S-1", "switched")
    assert await ctx.db[MESSAGES].count_documents({"person_id": "switched"}) == 0
    await service.rules.switch(staff, "hub-northfield", "issue_acknowledgement", True)
    await report(ctx, service, "S-2", "switched")
    assert await ctx.db[MESSAGES].count_documents({"person_id": "switched"}) == 2


async def test_a_busy_person_is_throttled_per_channel_but_critical_and_in_app_messages_are_not(
    service_context, smtp_server
):
    ctx, service = await setup(service_context, smtp_server.port, "busy")
    service.delivery.recipients.max_per_hour = 2
    for n in range(3):
        await report(ctx, service, f"B-{n}", "busy")
    await service.delivery.deliver_due()
    emails = [d async for d in ctx.db[MESSAGES].find({"person_id": "busy", "channel": "email"})]
    assert sorted(d["status"] for d in emails) == ["delivered", "delivered", "digest_pending"]
    assert len(smtp_server.to("busy@example.org")) == 2
    assert await ctx.db[MESSAGES].count_documents({"person_id": "busy", "channel": "inapp", "status": "delivered"}) == 3


async def test_staff_who_asked_for_alerts_hear_of_new_reports_in_their_hub_only(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "reporter")
    north = Principal(sub="staff-north", role="staff", hubs=("hub-northfield",))
    south = Principal(sub="staff-south", role="staff", hubs=("hub-riverside",))
    await service.rules.join_staff_alerts(north, "hub-northfield", "Nadia", "nadia@council.example")
    await service.rules.join_staff_alerts(south, "hub-riverside", "Sam", "sam@council.example")

    await report(ctx, service, "ST-1", "reporter")
    await service.delivery.deliver_due()
    [alert] = smtp_server.to("nadia@council.example")
    assert alert["Subject"] == "New report: Graffiti" and "ST-1" in alert.get_content()
    assert smtp_server.to("sam@council.example") == []
    assert len(smtp_server.to("reporter@example.org")) == 1  # the reporter's acknowledgement as well

    assert await service.rules.hub_staff.leave("hub-northfield", "staff-north")
    await report(ctx, service, "ST-2", "reporter")
    await service.delivery.deliver_due()
    assert len(smtp_server.to("nadia@council.example")) == 1


async def test_the_email_rate_limit_paces_a_released_backlog(service_context, smtp_server):
    import time

    from aiolimiter import AsyncLimiter

    ctx, service = await setup(service_context, smtp_server.port, "paced")
    service.delivery.recipients.max_per_hour = 0
    service.delivery.limiters["email"] = AsyncLimiter(4, 1)  # four emails a second
    for n in range(8):
        await report(ctx, service, f"P-{n}", "paced")
    started = time.monotonic()
    await service.delivery.deliver_due()
    assert len(smtp_server.to("paced@example.org")) == 8
    assert time.monotonic() - started >= 0.9  # the second four waited for the next second


def volunteer_event(event_type: str, data: dict) -> Envelope:
    from hub_common.contracts import contract_for

    model = contract_for(event_type).model
    return Envelope(
        id=str(uuid.uuid4()),
        source="/hub/volunteers",
        type=event_type,
        time=datetime.now(UTC),
        subject=data.get("signup_id") or data["shift_id"],
        hub_id="hub-northfield",
        data=model.model_validate({"hub_id": "hub-northfield", **data}),
    )


async def test_a_shift_reminder_waits_until_a_day_before_and_a_cancellation_calls_it_off(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "vol-1")
    starts = datetime.now(UTC) + timedelta(days=3)
    signup = {"signup_id": "shift-1:vol-1", "shift_id": "shift-1", "volunteer_id": "vol-1", "starts_at": starts}
    await ctx.uow.run(
        lambda tx: service.planning.plan(volunteer_event("hub.volunteers.signup.confirmed.v1", signup), tx)
    )
    await service.delivery.deliver_due()

    messages = ctx.db[MESSAGES]
    [confirmation] = smtp_server.to("vol-1@example.org")
    assert confirmation["Subject"] == "Your place is confirmed"
    assert starts.astimezone(LONDON).strftime("%B") in confirmation.get_content()  # the date in words
    reminder = await messages.find_one({"message_type": "shift_reminder", "channel": "email"})
    assert reminder["status"] == "created"
    assert abs((reminder["next_attempt_at"] - (starts - timedelta(hours=24))).total_seconds()) < 1

    cancelled = volunteer_event("hub.volunteers.signup.cancelled.v1", {**signup, "was": "confirmed"})
    await ctx.uow.run(lambda tx: service.planning.plan(cancelled, tx))
    reminders = messages.find({"message_type": "shift_reminder"})
    assert {m["status"] async for m in reminders} == {"skipped"}


async def test_a_shift_starting_within_a_day_is_reminded_now_and_a_past_one_not_at_all(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "vol-2")
    soon = {
        "signup_id": "s2:vol-2",
        "shift_id": "s2",
        "volunteer_id": "vol-2",
        "starts_at": datetime.now(UTC) + timedelta(hours=3),
    }
    past = {
        "signup_id": "s3:vol-2",
        "shift_id": "s3",
        "volunteer_id": "vol-2",
        "starts_at": datetime.now(UTC) - timedelta(hours=1),
    }
    for signup in (soon, past):
        await ctx.uow.run(
            lambda tx, s=signup: service.planning.plan(volunteer_event("hub.volunteers.signup.confirmed.v1", s), tx)
        )
    await service.delivery.deliver_due()
    subjects = sorted(m["Subject"] for m in smtp_server.to("vol-2@example.org"))
    assert subjects == ["Reminder: your shift is tomorrow", "Your place is confirmed", "Your place is confirmed"]


async def test_a_cancelled_shift_tells_everyone_on_it_even_those_who_opted_out(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "vol-a")
    await setup_contact(ctx, service, "vol-b")
    await service.preferences.save("vol-b", {"opt_outs": ["shifts:*"]}, None)
    cancelled = {"shift_id": "s9", "volunteer_ids": ["vol-a", "vol-b"], "reason": "The hall is flooded."}
    await ctx.uow.run(
        lambda tx: service.planning.plan(volunteer_event("hub.volunteers.shift.cancelled.v1", cancelled), tx)
    )
    await service.delivery.deliver_due()
    for person in ("vol-a", "vol-b"):
        [email] = smtp_server.to(f"{person}@example.org")
        assert "The hall is flooded." in email.get_content()


async def setup_contact(ctx, service, person: str) -> None:
    contact = Contact(
        id=person,
        display_name=person,
        email=f"{person}@example.org",
        phone=None,
        language="en",
        hub_ids=("hub-northfield",),
        consented_channels=("email",),
        source="/hub/volunteers",
        updated_at=datetime.now(UTC),
    )
    await ctx.uow.run(lambda tx: service.contacts.contacts.save(contact, tx.session))


def issue_event(event_type: str, data: dict) -> Envelope:
    from hub_common.contracts import contract_for

    base = {"hub_id": "hub-northfield", "service_code": "graffiti", "location": {"lat": 53.81, "lon": -1.55}}
    return Envelope(
        id=str(uuid.uuid4()),
        source="/hub/issues",
        type=event_type,
        time=datetime.now(UTC),
        subject=data["issue_id"],
        hub_id="hub-northfield",
        data=contract_for(event_type).model.model_validate({**base, **data}),
    )


def status_change(issue_id: str, status: str, note: str) -> dict:
    return {
        "issue_id": issue_id,
        "service_name": "Graffiti",
        "previous_status": "in_progress",
        "status": status,
        "open311_status": "closed" if status in ("fixed", "closed", "duplicate") else "open",
        "public_note": note,
        "changed_by_role": "staff",
        "changed_at": datetime.now(UTC),
    }


async def test_the_reporter_and_supporters_hear_the_fix_and_follow_a_merge(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "rep")
    await setup_contact(ctx, service, "fan")
    await setup_contact(ctx, service, "later")

    async def plan(event: Envelope) -> None:
        await ctx.uow.run(lambda tx: service.planning.plan(event, tx))

    await report(ctx, service, "DUP", "rep")  # the reporter follows DUP
    supported = {"issue_id": "DUP", "supporter_id": "fan", "support_count": 2, "supported_at": datetime.now(UTC)}
    await plan(issue_event("hub.issues.issue.supported.v1", supported))
    await plan(issue_event("hub.issues.issue.supported.v1", {**supported, "issue_id": "ORIG", "supporter_id": "later"}))
    merged = {**status_change("DUP", "duplicate", "Same wall as ORIG."), "duplicate_of": "ORIG", "followers_moved": 2}
    await plan(issue_event("hub.issues.issue.duplicate_merged.v1", merged))
    await plan(issue_event("hub.issues.issue.fixed.v1", status_change("ORIG", "fixed", "Painted over today.")))
    await service.delivery.deliver_due()

    for person in ("rep", "fan", "later"):
        fixed = [m for m in smtp_server.to(f"{person}@example.org") if m["Subject"] == "Fixed: Graffiti"]
        assert len(fixed) == 1 and "Painted over today." in fixed[0].get_content(), person
    assert len([m for m in smtp_server.to("fan@example.org") if "handled with another" in m["Subject"]]) == 1
    assert set(await service.planning.followers.of("ORIG")) == {"rep", "fan", "later"}


async def test_the_feedback_request_links_to_the_form_signed_in_as_the_reporter(service_context, smtp_server):
    import re

    from hub_testkit.tokens import decode as decode_token

    ctx, service = await setup(service_context, smtp_server.port, "asker")
    respond_by = datetime.now(UTC) + timedelta(days=14)
    requested = {
        "issue_id": "FB-1",
        "service_name": "Graffiti",
        "reporter_id": "asker",
        "fixed_at": datetime.now(UTC),
        "requested_at": datetime.now(UTC),
        "respond_by": respond_by,
    }
    await ctx.uow.run(
        lambda tx: service.planning.plan(issue_event("hub.issues.issue.feedback_requested.v1", requested), tx)
    )
    await service.delivery.deliver_due()
    [email] = smtp_server.to("asker@example.org")
    link = re.search(r"(\S+/issues/FB-1/feedback\?token=(\S+))", email.get_content())
    assert link and link.group(1).startswith(ctx.settings.public_base_url)
    principal = decode_token(link.group(2))
    assert (principal.sub, principal.role) == ("asker", "resident")  # the reporter's own, short-lived sign-in


async def test_the_acknowledgement_links_an_anonymous_reporter_to_their_report_signed_in_for_a_month(
    service_context, smtp_server
):
    import re

    from hub_testkit.tokens import decode as decode_token

    ctx, service = await setup(service_context, smtp_server.port, "res-anon")
    await report(ctx, service, "ACK-1", "res-anon")
    await service.delivery.deliver_due()
    [email] = smtp_server.to("res-anon@example.org")
    link = re.search(r"/issues/ACK-1\?token=(\S+)", email.get_content())
    assert link, email.get_content()
    principal = decode_token(link.group(1))
    assert (principal.sub, principal.role) == ("res-anon", "resident")


async def test_only_reminders_are_in_the_sparse_reminders_index_which_still_finds_them(service_context, smtp_server):
    """A burst's acknowledgements carry no reminder keys, so they do not pay for an entry in the
    reminders index; calling a reminder off still finds it through that index."""
    ctx, service = await setup(service_context, smtp_server.port, "res-sparse")
    await report(ctx, service, "SP-1", "res-sparse")
    stored = [d async for d in ctx.db[MESSAGES].find({"person_id": "res-sparse"})]
    assert stored and all("reminder_keys" not in d for d in stored)
    explained = await ctx.db.command(
        "explain", {"find": MESSAGES, "filter": {"reminder_keys": "signup_id:s1"}}, verbosity="queryPlanner"
    )
    assert "reminders" in str(explained["queryPlanner"]["winningPlan"]), explained


async def test_a_resident_who_reported_in_welsh_is_answered_in_welsh_with_the_same_link(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "res-cy", channels=("email",), language="cy")
    await report(ctx, service, "CY-1", "res-cy")
    await service.delivery.deliver_due()
    [email] = smtp_server.to("res-cy@example.org")
    body = email.get_content()
    assert email["Subject"].startswith("Mae eich adroddiad gennym") and body.startswith("Helo Alex,")
    assert "Eich cyfeirnod yw CY-1" in body and "/issues/CY-1?token=" in body
    assert email.get_content().count("Hello") == 0  # the whole text, not a Welsh greeting on English


async def test_a_volunteer_who_asked_gets_a_link_signed_in_as_their_account_for_an_hour(service_context, smtp_server):
    """Sent even to someone who opted out of volunteering news (they asked for it), signed in as the
    account the volunteers service named, not as the person id the message is addressed to."""
    import re

    import jwt

    from hub_common.contracts.contacts import VolunteerSignInLinkRequested
    from hub_testkit.tokens import decode as decode_token

    ctx, service = await setup(service_context, smtp_server.port, "vol-rita")
    await service.preferences.save("vol-rita", {"opt_outs": ["volunteering:*"]}, None)
    requested = VolunteerSignInLinkRequested(person_id="vol-rita", account_sub="web-rita", hub_id="hub-northfield")
    event = Envelope(
        id=str(uuid.uuid4()),
        source="/hub/volunteers",
        type="hub.volunteers.sign_in_link.requested.v1",
        time=datetime.now(UTC),
        subject="vol-rita",
        hub_id="hub-northfield",
        data=requested,
    )
    await ctx.uow.run(lambda tx: service.planning.plan(event, tx))
    await service.delivery.deliver_due()

    [email] = smtp_server.to("vol-rita@example.org")
    assert email["Subject"] == "Your link to sign in"
    link = re.search(r"(\S+/volunteer/me\?token=(\S+))", email.get_content())
    assert link and link.group(1).startswith(ctx.settings.public_base_url)
    token = link.group(2)
    principal = decode_token(token)
    assert (principal.sub, principal.role) == ("web-rita", "resident")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert 55 * 60 < claims["exp"] - datetime.now(UTC).timestamp() <= 60 * 60
    assert await statuses(ctx, "vol-rita") == {"email": "delivered"}  # email only: no in-app copy


async def test_a_message_waiting_for_contact_details_goes_as_soon_as_they_arrive(service_context, smtp_server):
    """The report's event can overtake the contact on hub.contacts: the message waits, then goes at
    once when the contact is consumed, not after the next retry delay (5 s, 30 s, 2 min, ...)."""
    ctx = await service_context(DEFINITION, smtp_port=smtp_server.port)
    service = ctx.components.use_cases
    await report(ctx, service, "I-9", "late-contact")
    await service.delivery.deliver_due()
    [waiting] = await ctx.db[MESSAGES].find({"person_id": "late-contact", "channel": "email"}).to_list()
    assert waiting["status"] == "temporary_failure" and waiting["next_attempt_at"] > datetime.now(UTC)

    contact = ResidentContactUpserted(
        person_id="late-contact",
        display_name="Sam",
        email="late-contact@example.org",
        hub_ids=["hub-northfield"],
        consented_channels=["email"],
    )
    event = Envelope(
        id=str(uuid.uuid4()),
        source="/hub/issues",
        type=ResidentContactUpserted.event_type,
        time=datetime.now(UTC),
        subject="late-contact",
        data=contact,
    )
    on_contact = ctx.components.handlers[ResidentContactUpserted.event_type]
    await ctx.uow.run(lambda tx: on_contact(event, tx))
    assert await service.delivery.deliver_due() >= 1  # due now, no waiting out the retry delay
    assert await statuses(ctx, "late-contact") == {"email": "delivered", "inapp": "delivered"}
    assert [m["To"] for m in smtp_server.messages] == ["late-contact@example.org"]


async def test_a_critical_message_goes_before_a_backlog_of_older_ones(service_context, smtp_server):
    """A sign-in link, or a cancelled shift, must not wait behind thousands of due updates."""
    ctx, service = await setup(service_context, smtp_server.port, "urgent-person")
    await _due_backlog(ctx, "backlog-", 120)
    await _urgent_message(ctx)

    due = await service.delivery.messages.due_ids(datetime.now(UTC), 50)

    assert due[0] == "urgent" and len(due) == 50 and len(set(due)) == 50
    assert due[1:] == [f"backlog-{n}" for n in range(49)]  # then the oldest, in order
    assert await service.delivery.messages.due_ids(datetime.now(UTC) - timedelta(minutes=5), 10) == [
        f"backlog-{n}" for n in range(10)
    ]  # not due yet: it does not jump the queue before its time


async def test_a_critical_message_that_arrives_mid_round_waits_for_a_few_attempts_not_the_round(
    service_context, smtp_server
):
    from hub_notifications.adapters.due_work import READ_AGAIN_AFTER

    ctx, service = await setup(service_context, smtp_server.port, "mid-round")
    await _due_backlog(ctx, "b-", 100)
    attempted: list[str] = []

    async def attempt(item: dict) -> None:
        attempted.append(item.id)
        await ctx.db[MESSAGES].update_one({"_id": item.id}, {"$set": {"status": "delivered"}})
        if len(attempted) == 1:  # planned while the round is under way
            await _urgent_message(ctx)

    await service.delivery.messages.attempt_due(attempt, limit=100)

    assert attempted.index("urgent") <= READ_AGAIN_AFTER
    assert len(attempted) == 100 and len(set(attempted)) == 100


async def _due_backlog(ctx, prefix: str, n: int) -> None:
    """``n`` ordinary messages due since an hour ago, a second apart (oldest first: prefix0, prefix1, ...)."""
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    due = [
        {"status": "created", "critical": False, "next_attempt_at": long_ago + timedelta(seconds=i)} for i in range(n)
    ]
    await ctx.db[MESSAGES].insert_many([message_document(f"{prefix}{i}", **doc) for i, doc in enumerate(due)])


async def _urgent_message(ctx) -> None:
    await ctx.db[MESSAGES].insert_one(
        message_document("urgent", status="created", critical=True, next_attempt_at=datetime.now(UTC))
    )


async def test_an_in_app_message_is_delivered_as_planned_and_messages_for_someone_unknown_wait_unattempted(
    service_context, smtp_server
):
    ctx, service = await setup(service_context, smtp_server.port, "inapp-now")
    event = issue_reported("N-1", reporter="inapp-now", service_code="graffiti")
    await ctx.uow.run(lambda tx: service.planning.plan(event, tx))
    # Stored with its text and its status event in the same transaction: no worker round needed.
    [inapp] = await ctx.db[MESSAGES].find({"person_id": "inapp-now", "channel": "inapp"}).to_list()
    assert inapp["status"] == "delivered" and inapp["attempts"] == 1 and "next_attempt_at" not in inapp
    assert [h["status"] for h in inapp["history"]] == ["created", "delivered"] and inapp["subject"]
    events = await outbox_events(ctx.db, {"subject": inapp["_id"]})
    assert [e["data"]["status"] for e in events] == ["delivered"]
    assert await service.inbox.unread_count("inapp-now") == 1
    # The same event again creates nothing and publishes nothing more.
    await ctx.uow.run(lambda tx: service.planning.plan(event, tx))
    assert await ctx.db[MESSAGES].count_documents({"person_id": "inapp-now"}) == 2
    assert await count_outbox_events(ctx.db, {"subject": inapp["_id"]}) == 1
    assert await service.delivery.deliver_due() == 1  # the email only

    # Nobody known yet: both messages wait for the contact details without an attempt (nothing is
    # due: the worker attempts nothing). Their arrival delivers the in-app one in the same transaction,
    # and hands the email to this worker, which sends it on its next round without claiming it.
    await report(ctx, service, "N-2", "inapp-later")
    waiting = await ctx.db[MESSAGES].find({"person_id": "inapp-later"}).to_list()
    assert {(m["channel"], m["status"], m["reason"], m["attempts"]) for m in waiting} == {
        (channel, "temporary_failure", WAITING_FOR_CONTACT, 0) for channel in ("email", "inapp")
    }
    assert await service.delivery.deliver_due() == 0
    contact = Contact(
        id="inapp-later",
        display_name="Sam",
        email="inapp-later@example.org",
        phone=None,
        language="en",
        hub_ids=("hub-northfield",),
        consented_channels=("email",),
        source="/hub/issues",
        updated_at=datetime.now(UTC),
    )
    await ctx.uow.run(lambda tx: service.contacts.learn(contact, tx))
    assert await statuses(ctx, "inapp-later") == {"email": "sending", "inapp": "delivered"}
    assert len(service.delivery.handoff) == 1
    assert await service.delivery.deliver_due() == 1
    assert await statuses(ctx, "inapp-later") == {"email": "delivered", "inapp": "delivered"}
    assert len(smtp_server.to("inapp-later@example.org")) == 1
    [inapp] = await ctx.db[MESSAGES].find({"person_id": "inapp-later", "channel": "inapp"}).to_list()
    assert inapp["attempts"] == 1 and inapp["subject"] and "claim" not in inapp
    assert [h["status"] for h in inapp["history"]] == ["created", "temporary_failure", "delivered"]
    assert [e["data"]["status"] for e in await outbox_events(ctx.db, {"subject": inapp["_id"]})] == ["delivered"]


async def test_messages_whose_contact_arrived_without_waking_them_are_found_by_the_worker(service_context, smtp_server):
    # Another worker's batch committed the contact while this one planned the messages: its wake saw
    # nothing to wake. The worker finds them on its next round instead of after the minute's fallback.
    ctx, service = await setup(service_context, smtp_server.port, "someone-else")
    await report(ctx, service, "R-1", "raced")
    assert await statuses(ctx, "raced") == {"email": "temporary_failure", "inapp": "temporary_failure"}
    await setup_contact(ctx, service, "raced")  # stored without the wake
    assert await service.delivery.deliver_due() == 2
    assert await statuses(ctx, "raced") == {"email": "delivered", "inapp": "delivered"}
    assert len(smtp_server.to("raced@example.org")) == 1


async def test_someone_already_sent_the_hours_limit_has_new_alerts_collected_as_they_are_planned(
    service_context, smtp_server
):
    ctx, service = await setup(service_context, smtp_server.port, "at-limit", max_messages_per_hour=2)
    for n in range(2):
        await report(ctx, service, f"L-{n}", "at-limit")
    assert await service.delivery.deliver_due() == 2
    assert len(smtp_server.to("at-limit@example.org")) == 2
    # The third report's email never reaches the queue: it waits in the digest from the start.
    await report(ctx, service, "L-2", "at-limit")
    third = await ctx.db[MESSAGES].find_one({"person_id": "at-limit", "channel": "email", "values.issue_id": "L-2"})
    assert third["status"] == "digest_pending" and third["subject"]
    assert await service.delivery.deliver_due() == 0
    assert len(smtp_server.to("at-limit@example.org")) == 2

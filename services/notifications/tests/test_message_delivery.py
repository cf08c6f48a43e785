"""Message delivery on the real database to a real SMTP server: consent, preferences, digests, retries."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime, timedelta

from hub_common.contracts.issues import IssueReported
from hub_common.envelope import Envelope
from hub_notifications.__main__ import DEFINITION
from hub_notifications.adapters.messages import MESSAGES
from hub_notifications.domain.contacts import Contact
from hub_notifications.wiring import notification_service


def reported(issue_id: str, reporter: str) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        source="/hub/issues",
        type=IssueReported.event_type,
        time=datetime.now(UTC),
        subject=issue_id,
        hub_id="hub-northfield",
        data=IssueReported(
            issue_id=issue_id,
            hub_id="hub-northfield",
            service_code="graffiti",
            service_name="Graffiti",
            description="Tags on the underpass",
            location={"lat": 53.81, "lon": -1.55},
            reporter_id=reporter,
            requested_at=datetime.now(UTC),
        ),
    )


async def setup(service_context, smtp_port: int, person: str, channels=("email",)):
    ctx = await service_context(DEFINITION, smtp_port=smtp_port)
    service = notification_service(ctx)
    contact = Contact(
        person_id=person,
        display_name="Alex",
        email=f"{person}@example.org",
        phone=None,
        language="en",
        hub_ids=("hub-northfield",),
        consented_channels=tuple(channels),
        source="/hub/issues",
        updated_at=datetime.now(UTC),
    )
    await ctx.uow.run(lambda tx: service.contacts.save(contact, tx.session))
    return ctx, service


async def report(ctx, service, issue_id: str, person: str) -> None:
    await ctx.uow.run(lambda tx: service.plan(reported(issue_id, person), tx))


async def statuses(ctx, person: str) -> dict[str, str]:
    return {d["channel"]: d["status"] async for d in ctx.db[MESSAGES].find({"person_id": person})}


async def test_a_person_who_did_not_consent_to_email_gets_only_the_in_app_message(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "no-email", channels=())
    await report(ctx, service, "I-1", "no-email")
    await service.deliver_due()
    assert await statuses(ctx, "no-email") == {"email": "skipped", "inapp": "delivered"}
    assert smtp_server.messages == []


async def test_opting_out_by_email_skips_it_and_quiet_hours_defer_it(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "quiet")
    await service.preferences.save("quiet", {"opt_outs": ["issue_updates:email"]}, None)
    await report(ctx, service, "I-2", "quiet")
    await service.deliver_due()
    assert (await statuses(ctx, "quiet"))["email"] == "skipped"

    always_quiet = {"start": "00:00", "end": "23:59:59"}
    await service.preferences.save("quiet", {"opt_outs": [], "quiet_hours": always_quiet}, None)
    await report(ctx, service, "I-3", "quiet")
    await service.deliver_due()
    deferred = await ctx.db[MESSAGES].find_one({"person_id": "quiet", "channel": "email", "status": "deferred"})
    assert deferred is not None and deferred["next_attempt_at"] > datetime.now(UTC)
    assert smtp_server.messages == []


async def test_a_daily_digest_collects_messages_into_one_email(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "digest")
    await service.preferences.save("digest", {"digest": "daily"}, None)
    for n in range(3):
        await report(ctx, service, f"D-{n}", "digest")
    await service.deliver_due()
    pending = ctx.db[MESSAGES].find({"person_id": "digest", "channel": "email"})
    assert [d["status"] async for d in pending] == ["digest_pending"] * 3
    assert await service.send_digests() == 0  # not due until 08:00

    await ctx.db[MESSAGES].update_many(  # it is now the morning after
        {"status": "digest_pending"}, {"$set": {"next_attempt_at": datetime.now(UTC) - timedelta(minutes=1)}}
    )
    assert await service.send_digests() == 1
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
    await service.deliver_due()
    message = await ctx.db[MESSAGES].find_one({"person_id": "retry", "channel": "email"})
    assert message["status"] == "temporary_failure" and message["attempts"] == 1
    assert message["next_attempt_at"] > datetime.now(UTC)


async def test_a_rule_switched_off_for_a_hub_creates_no_messages_there(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "switched")
    await service.rule_settings.set("hub-northfield", "issue_acknowledgement", False, "staff-1")
    await report(ctx, service, "S-1", "switched")
    assert await ctx.db[MESSAGES].count_documents({"person_id": "switched"}) == 0
    await service.rule_settings.set("hub-northfield", "issue_acknowledgement", True, "staff-1")
    await report(ctx, service, "S-2", "switched")
    assert await ctx.db[MESSAGES].count_documents({"person_id": "switched"}) == 2


async def test_a_busy_person_is_throttled_per_channel_but_critical_and_in_app_messages_are_not(
    service_context, smtp_server
):
    ctx, service = await setup(service_context, smtp_server.port, "busy")
    service.max_per_hour = 2
    for n in range(3):
        await report(ctx, service, f"B-{n}", "busy")
    await service.deliver_due()
    emails = [d async for d in ctx.db[MESSAGES].find({"person_id": "busy", "channel": "email"})]
    assert sorted(d["status"] for d in emails) == ["deferred", "delivered", "delivered"]
    assert len(smtp_server.to("busy@example.org")) == 2
    assert await ctx.db[MESSAGES].count_documents({"person_id": "busy", "channel": "inapp", "status": "delivered"}) == 3


async def test_staff_who_asked_for_alerts_hear_of_new_reports_in_their_hub_only(service_context, smtp_server):
    from hub_common.auth import Principal

    ctx, service = await setup(service_context, smtp_server.port, "reporter")
    north = Principal(sub="staff-north", role="staff", hubs=("hub-northfield",))
    south = Principal(sub="staff-south", role="staff", hubs=("hub-riverside",))
    await service.alert_staff(north, "hub-northfield", "Nadia", "nadia@council.example")
    await service.alert_staff(south, "hub-riverside", "Sam", "sam@council.example")

    await report(ctx, service, "ST-1", "reporter")
    await service.deliver_due()
    [alert] = smtp_server.to("nadia@council.example")
    assert alert["Subject"] == "New report: Graffiti" and "ST-1" in alert.get_content()
    assert smtp_server.to("sam@council.example") == []
    assert len(smtp_server.to("reporter@example.org")) == 1  # the reporter's acknowledgement as well

    assert await service.hub_staff.leave("hub-northfield", "staff-north")
    await report(ctx, service, "ST-2", "reporter")
    await service.deliver_due()
    assert len(smtp_server.to("nadia@council.example")) == 1


async def test_the_email_rate_limit_paces_a_released_backlog(service_context, smtp_server):
    import time

    from aiolimiter import AsyncLimiter

    ctx, service = await setup(service_context, smtp_server.port, "paced")
    service.max_per_hour = 0
    service.limiters["email"] = AsyncLimiter(4, 1)  # four emails a second
    for n in range(8):
        await report(ctx, service, f"P-{n}", "paced")
    started = time.monotonic()
    await service.deliver_due()
    assert len(smtp_server.to("paced@example.org")) == 8
    assert time.monotonic() - started >= 0.9  # the second four waited for the next second

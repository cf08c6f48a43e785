"""Notifications end to end: events from Kafka become real emails on a real local SMTP server."""

from __future__ import annotations

import asyncio
import json

import pytest
from standardwebhooks.webhooks import Webhook

from hub_common import envelope
from hub_common.auth import Principal
from hub_common.contracts import CONTACTS_TOPIC, events_topic
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_notifications.adapters.contacts import ContactRepository
from hub_notifications.adapters.messages import MESSAGES
from hub_testkit.events import cloud_event, issue_reported_record

pytestmark = pytest.mark.integration


def northfield_event(topic: str, event_type: str, source: str, subject: str, data: dict) -> envelope.KafkaRecord:
    return cloud_event(topic, event_type, source, subject, data, hub_id="hub-northfield")


async def send(kafka, record: envelope.KafkaRecord) -> None:
    await kafka.produce(record.topic, record.value, key=record.key, headers=record.headers)


async def test_an_issue_report_emails_the_reporter_and_signs_one_webhook_exactly_once_and_erasure_stops_it(
    service_context, kafka, background, wait_until, smtp_server, http_receiver, unique
):
    mailbox = smtp_server
    ctx = await service_context(NOTIFICATIONS, smtp_port=mailbox.port, webhook_allow_private=True)
    partner = Principal(sub="riverside-housing", role="partner", hubs=("hub-northfield",))
    endpoint = http_receiver().__enter__()
    _, secret = await ctx.components.use_cases.webhooks.register(
        partner, {"url": endpoint.url, "event_types": ["hub.issues.issue.reported.v1"], "categories": ["litter"]}
    )
    await kafka.skip_history(ctx.settings.consumer_group, list(NOTIFICATIONS.consumes))
    background(ctx.run_worker)
    person, address = f"res-{unique}", f"res-{unique}@example.org"
    book = ContactRepository(ctx.db)

    await send(
        kafka,
        northfield_event(
            CONTACTS_TOPIC,
            "hub.issues.contact.upserted.v1",
            "/hub/issues",
            person,
            {"person_id": person, "display_name": "Priya", "email": address, "consented_channels": ["email"]},
        ),
    )
    await wait_until(lambda: book.find(person))

    report = issue_reported_record(f"ISS-{unique}", person)
    await send(kafka, report)
    await send(kafka, report)  # Kafka delivers the same event twice
    [email] = await wait_until(lambda: _async(mailbox.to(address)))
    assert "Litter" in email["Subject"]
    text = email.get_content()
    assert f"ISS-{unique}" in text and "Hello Priya" in text

    inbox = ctx.db[MESSAGES]
    await wait_until(lambda: inbox.count_documents({"person_id": person, "status": "delivered"}))
    await asyncio.sleep(2)  # time for a duplicate to show up if there were one
    assert len(mailbox.to(address)) == 1
    assert await inbox.count_documents({"person_id": person, "channel": "email"}) == 1
    in_app = await wait_until(lambda: inbox.find_one({"person_id": person, "channel": "inapp", "status": "delivered"}))
    assert f"ISS-{unique}" in in_app["body"]

    statuses = await kafka.collect(
        events_topic("notifications"),
        lambda r: (
            dict(r.headers).get("ce_type") == b"hub.notifications.message.status_changed.v1"
            and r.key in {email["X-Hub-Message-Id"].encode()}
        ),
        count=1,
    )
    assert address.encode() not in statuses[0].value  # status events carry no contact details

    # The topic also holds other tests' reports, so look at the deliveries about this one.
    def about(issue_id: str) -> list:
        return [(h, b) for h, b in endpoint.requests if json.loads(b)["data"]["issue_id"] == issue_id]

    [(headers, body)] = await wait_until(lambda: _async(about(f"ISS-{unique}")))
    delivered = Webhook(secret).verify(body, headers)  # the partner's own check, with the reference library
    assert delivered["id"] == dict(report.headers)["ce_id"].decode()
    assert delivered["data"]["reporter_id"] == person and address not in body.decode()

    await send(
        kafka,
        northfield_event(CONTACTS_TOPIC, "hub.issues.contact.erased.v1", "/hub/issues", person, {"person_id": person}),
    )
    await wait_until(lambda: book.erased_when([person]))
    await send(kafka, issue_reported_record(f"ISS2-{unique}", person))
    await asyncio.sleep(3)
    assert len(mailbox.to(address)) == 1
    assert len(about(f"ISS-{unique}")) == 1  # the duplicate delivery was never posted
    assert len(about(f"ISS2-{unique}")) == 1  # the partner still hears of the new (public) report
    endpoint.__exit__(None, None, None)
    assert await book.find(person) is None
    assert await inbox.count_documents({"person_id": person}) == 0  # inbox copies are anonymised too


async def _async(value):
    return value

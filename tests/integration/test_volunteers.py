"""Volunteers end to end on the real Kafka broker and MongoDB: approved hours become ONE milestone event."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from hub_common import envelope
from hub_common.auth import Principal
from hub_common.contracts import CONTACTS_TOPIC, dlt_topic, events_topic, inbound_topic
from hub_common.contracts.volunteers import MilestoneReached
from hub_testkit.outbox import count_outbox_events
from hub_testkit.partners import grant_partner
from hub_volunteers.__main__ import DEFINITION as VOLUNTEERS
from hub_volunteers.service import commands as cmd

pytestmark = pytest.mark.integration

MILESTONE = "hub.volunteers.milestone.reached.v1"


def header(record, name: str) -> str | None:
    return next((v.decode() for k, v in record.headers if k == name), None)


async def test_logging_enough_approved_hours_publishes_one_milestone_event(
    service_context, kafka, background, wait_until, unique
):
    ctx = await service_context(VOLUNTEERS)
    use_cases = ctx.components.use_cases
    hub = f"hub-{unique}"
    resident = Principal(sub=f"user-{unique}", role="resident")
    staff = Principal(sub=f"staff-{unique}", role="staff", hubs=(hub,))

    volunteer = await use_cases.volunteers.register(
        resident,
        cmd.RegisterVolunteer(
            name="Noor Example",
            email=f"noor-{unique}@example.org",
            hub_id=hub,
            date_of_birth=date(1985, 3, 3),
            consent=cmd.ConsentIn(data_processing=True, channels=cmd.ChannelConsent(email=True), wording_version="v1"),
            emergency_contact=cmd.EmergencyContactIn(name="Sam", phone="+44 7700 900001"),
        ),
    )
    entries = []
    for day in range(4):  # 4 x 3 hours = 12 hours: crosses the 10-hour milestone once
        logged = await use_cases.hours.log(
            resident, volunteer.id, cmd.LogHours(hours=3, worked_on=date.today() - timedelta(days=day))
        )
        entries.append(logged.id)
    await asyncio.gather(*(use_cases.hours.approve(staff, h) for h in entries))

    background(ctx.relay().run)
    records = await kafka.collect(
        events_topic("volunteers"),
        lambda r: header(r, "ce_subject") == volunteer.id and header(r, "ce_type") == MILESTONE,
        count=1,
        timeout_s=30,
        settle_s=2.0,
    )

    assert len(records) == 1
    event = envelope.decode(records[0].headers, records[0].key, records[0].value)
    assert isinstance(event.data, MilestoneReached)
    assert event.data.volunteer_id == volunteer.id
    assert event.data.milestone_hours == 10
    assert event.data.total_hours == 12
    assert event.source == "/hub/volunteers" and event.hub_id == hub
    assert event.time <= datetime.now(UTC)
    assert "Noor" not in records[0].value.decode()  # public events carry no contact data

    # Notifications can reach the volunteer: their contact details went to hub.contacts (relayed),
    # and the outbox keeps no copy of them once Kafka has them.
    [contact] = await kafka.collect(
        CONTACTS_TOPIC,
        lambda r: (
            header(r, "ce_subject") == volunteer.id and header(r, "ce_type") == "hub.volunteers.contact.upserted.v1"
        ),
        count=1,
        timeout_s=30,
    )
    data = envelope.decode(contact.headers, contact.key, contact.value).data
    assert data.email == f"noor-{unique}@example.org"
    assert data.consented_channels == ["email", "inapp"]
    await wait_until(lambda: _outbox_empty_of(ctx, volunteer.id))


async def test_partner_registrations_on_inbound_are_ingested_once_and_bad_ones_dead_lettered(
    service_context, kafka, background, wait_until, unique
):
    ctx = await service_context(VOLUNTEERS)
    hub = f"hub-{unique}"
    source = "/partners/leeds-volunteer-centre"
    types = ["hub.volunteers.registration.submitted.v1"]
    await grant_partner(ctx.db, "leeds-volunteer-centre", hubs=[hub], publishes=types)

    def submitted(ref: str, **overrides) -> envelope.KafkaRecord:
        data = {
            "partner_ref": ref,
            "hub_id": hub,
            "name": "Kai Partner",
            "date_of_birth": "1990-01-01",
            "consent": {"data_processing": True, "wording_version": "lvc-3", "given_at": datetime.now(UTC).isoformat()},
            **overrides,
        }
        return envelope.encode(
            topic=inbound_topic("volunteers"),
            event_id=str(uuid.uuid4()),
            source=source,
            event_type="hub.volunteers.registration.submitted.v1",
            time=datetime.now(UTC),
            subject=ref,
            data=data,
        )

    # The topics are shared with every earlier test run: this test's consumer group starts at their end.
    await kafka.skip_history(ctx.settings.consumer_group, list(VOLUNTEERS.consumes))
    good = submitted(f"LVC-{unique}")
    repeat = submitted(f"LVC-{unique}")  # the same reference again, as a new event
    refused = submitted(
        f"LVC-bad-{unique}",
        consent={"data_processing": False, "wording_version": "x", "given_at": datetime.now(UTC).isoformat()},
    )
    for record in (good, repeat, refused):
        await kafka.produce(record.topic, record.value, key=record.key, headers=record.headers)
    background(ctx.consumer().run)

    async def registered():
        return await ctx.db["volunteers"].find({"hub_id": hub}).to_list()

    [volunteer] = await wait_until(registered)
    assert volunteer["registered_via"] == "partner" and volunteer["partner_ref"] == f"{source}|LVC-{unique}"
    dead = await kafka.collect(
        dlt_topic("volunteers"), lambda r: header(r, "ce_subject") == f"LVC-bad-{unique}", count=1, timeout_s=30
    )
    assert "consent" in header(dead[0], "hub_dlt_error")
    assert len(await registered()) == 1


async def _outbox_empty_of(ctx, subject: str) -> bool:
    return await count_outbox_events(ctx.db, {"subject": subject}) == 0

"""Forum meetings (hub.participation.events): a registrant's invitation and a reminder a day before,
called off when they cancel or the meeting is called off; the waitlist and a freed place; the minutes
to those who had a place."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from test_message_delivery import setup, setup_contact

from hub_common.contracts import contract_for
from hub_common.envelope import Envelope
from hub_notifications.adapters.messages import MESSAGES

HUB = "hub-northfield"
TITLE = "Northfield residents' forum"


def forum_event(event_type: str, starts: datetime, **data) -> Envelope:
    facts = {
        "meeting_id": "meeting-1",
        "hub_id": HUB,
        "title": TITLE,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "place": "Main Hall, 1 Green Lane",
    }
    model = contract_for(event_type).model
    return Envelope(
        id=str(uuid.uuid4()),
        source="/hub/participation",
        type=event_type,
        time=datetime.now(UTC),
        subject="meeting-1",
        hub_id=HUB,
        data=model.model_validate({k: v for k, v in facts.items() if k in model.model_fields} | data),
    )


async def test_an_invitation_now_a_reminder_a_day_before_and_cancelling_calls_it_off(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "res-ann")
    starts = datetime.now(UTC) + timedelta(days=5)

    async def plan(event: Envelope) -> None:
        await ctx.uow.run(lambda tx: service.planning.plan(event, tx))

    now = datetime.now(UTC)
    registration = {"registration_id": "reg-1", "person_id": "res-ann"}
    await plan(forum_event("hub.participation.registration.confirmed.v1", starts, **registration, registered_at=now))
    await service.delivery.deliver_due()

    [invitation] = smtp_server.to("res-ann@example.org")
    assert invitation["Subject"] == f"You are registered: {TITLE}"
    assert "Main Hall, 1 Green Lane" in invitation.get_content()
    reminder = await ctx.db[MESSAGES].find_one({"message_type": "forum_reminder", "channel": "email"})
    assert reminder["status"] == "created"
    assert abs((reminder["next_attempt_at"] - (starts - timedelta(hours=24))).total_seconds()) < 1
    assert set(reminder["reminder_keys"]) == {"meeting_id:meeting-1", "registration_id:reg-1"}

    await plan(forum_event("hub.participation.registration.cancelled.v1", starts, **registration, cancelled_at=now))
    reminders = ctx.db[MESSAGES].find({"message_type": "forum_reminder"})
    assert {m["status"] async for m in reminders} == {"skipped"}


async def test_waitlist_freed_place_called_off_and_minutes(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "res-bo")
    await setup_contact(ctx, service, "res-cy")
    starts = datetime.now(UTC) + timedelta(days=5)
    now = datetime.now(UTC)

    async def plan(event: Envelope) -> None:
        await ctx.uow.run(lambda tx: service.planning.plan(event, tx))

    waiting = {"registration_id": "reg-2", "person_id": "res-bo"}
    await plan(
        forum_event("hub.participation.registration.waitlisted.v1", starts, **waiting, position=1, registered_at=now)
    )
    await plan(forum_event("hub.participation.registration.promoted.v1", starts, **waiting, promoted_at=now))
    await plan(
        forum_event(
            "hub.participation.meeting.minutes_published.v1",
            starts,
            minutes="We agreed two things.",
            actions=[],
            registrant_ids=["res-bo", "res-cy"],
            published_at=now,
        )
    )
    await service.delivery.deliver_due()

    subjects = [m["Subject"] for m in smtp_server.to("res-bo@example.org")]
    assert f"You are on the waitlist: {TITLE}" in subjects and f"A place is yours: {TITLE}" in subjects
    assert f"The minutes of {TITLE}" in subjects
    [minutes] = smtp_server.to("res-cy@example.org")
    assert "We agreed two things." in minutes.get_content()
    pending = {"message_type": "forum_reminder", "status": "created"}
    assert await ctx.db[MESSAGES].count_documents(pending) == 2  # the freed place's: email and in-app

    cancelled = forum_event(
        "hub.participation.meeting.cancelled.v1",
        starts,
        reason="The hall is flooded.",
        registrant_ids=["res-bo"],
        cancelled_at=now,
    )
    await plan(cancelled)
    await service.delivery.deliver_due()
    [called_off] = [m for m in smtp_server.to("res-bo@example.org") if m["Subject"].startswith("Called off")]
    assert "The hall is flooded." in called_off.get_content()
    assert await ctx.db[MESSAGES].count_documents(pending) == 0

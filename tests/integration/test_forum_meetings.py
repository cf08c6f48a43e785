"""Forum meetings on the real broker and database, across services that meet only through events:

- a meeting in a room: participation asks for the room on ``hub.assets.inbound``, the assets service
  books it through its booking workflow and answers on ``hub.assets.events``, and participation
  shows the room confirmed; called off, the meeting gives the room back the same way, and the
  slot can be booked again;
- registration: the resident gets their invitation and, the meeting being near, their reminder by
  email over real SMTP; the minutes with two actions reach them too, and the one action completed
  shows in the issues service's "You Said, We Did" beside the fixed problems;
- open priorities: the issues service's events on ``hub.issues.events`` (a repeat, and a "me too"
  arriving after its issue was closed, among them) feed participation's read model, and a meeting
  scheduled with ``top_priorities`` lists the hub's most supported open issues in order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager

from hub_assets.__main__ import DEFINITION as ASSETS
from hub_assets.domain.assets import AssetFields
from hub_common import envelope
from hub_common.app import create_app
from hub_common.auth import Principal
from hub_common.contact_details import Contact
from hub_common.contracts import events_topic
from hub_common.contracts.issues import IssueClosed, IssueReported, IssueSupported
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_participation.__main__ import DEFINITION as PARTICIPATION
from hub_participation.domain.meeting import Place
from hub_participation.service.meetings import ScheduleRequest
from hub_participation.service.minutes import ActionRequest

pytestmark = pytest.mark.integration

HUB = "hub-northfield"


async def test_a_forum_in_a_room_is_booked_through_assets_confirmed_by_its_event_and_given_back_when_called_off(
    service_context, kafka, background, wait_until, unique
):
    participation = await service_context(PARTICIPATION)
    assets = await service_context(ASSETS)
    for ctx in (participation, assets):
        await kafka.skip_history(ctx.settings.consumer_group, list(ctx.definition.consumes))
    staff = Principal(sub=f"staff-{unique}", role="staff", hubs=(HUB,))
    hall = await assets.components.use_cases.assets.register(
        staff,
        AssetFields(
            kind="room",
            hub_id=HUB,
            name=f"Main Hall {unique}",
            location={"lat": 53.815, "lon": -1.55},
            room={"capacity": 80, "policy": {"requires_approval": True}},  # staff book it directly
        ),
    )
    await participation.components.use_cases.hubs.configure(staff, HUB, None, None)
    background(participation.run_worker)
    background(assets.run_worker)

    starts = (datetime.now(UTC) + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    meeting = await participation.components.use_cases.meetings.schedule(
        staff,
        ScheduleRequest(
            hub_id=HUB,
            title="Northfield residents' forum",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place=Place(kind="room", name="Main Hall, 1 Green Lane", room_id=hall.id),
            capacity=60,
            waitlist=True,
        ),
    )
    assert meeting.place.room_status == "requested"

    async def room_confirmed():
        current = await participation.components.use_cases.meetings.get(meeting.id)
        return current if current.place.room_status == "confirmed" else None

    confirmed = await wait_until(room_confirmed, timeout_s=60)
    [booking] = await assets.db["bookings"].find({"request_id": meeting.id}).to_list()
    assert confirmed.place.booking_id == booking["_id"]
    assert booking["room_id"] == hall.id and booking["status"] == "confirmed"
    assert booking["booker_id"] == staff.sub and booking["requested_by"] == "participation"
    assert booking["starts_at"].replace(tzinfo=UTC) == starts
    assert confirmed.version == meeting.version + 1  # the answer applied once

    # Called off: the room goes back to the assets service, whose answer participation shows.
    await participation.components.use_cases.meetings.cancel(staff, meeting.id, "too few could come", None)

    async def room_given_back():
        current = await participation.components.use_cases.meetings.get(meeting.id)
        return current if current.place.room_status == "cancelled" else None

    released = await wait_until(room_given_back, timeout_s=60)
    assert released.status == "cancelled"
    [booking] = await assets.db["bookings"].find({"request_id": meeting.id}).to_list()
    assert booking["status"] == "cancelled" and "too few could come" in booking["reason"]
    # The slot is free: another booking of the same hall at the same time is confirmed.
    again = await assets.components.use_cases.bookings.request(
        staff, hall.id, starts_at=starts, ends_at=starts + timedelta(hours=2), purpose="Craft club", attendees=20
    )
    assert again.status == "confirmed"


async def test_registrants_get_invitation_reminder_and_minutes_and_a_done_action_reaches_you_said_we_did(
    service_context, kafka, background, wait_until, smtp_server, unique
):
    participation = await service_context(PARTICIPATION)
    notifications = await service_context(NOTIFICATIONS, smtp_port=smtp_server.port)
    issues = await service_context(ISSUES)
    for ctx in (notifications, issues):
        await kafka.skip_history(ctx.settings.consumer_group, list(ctx.definition.consumes))
    staff = Principal(sub=f"staff-{unique}", role="staff", hubs=(HUB,))
    resident = Principal(sub=f"res-{unique}", role="resident")
    email = f"ann-{unique}@example.org"
    use_cases = participation.components.use_cases
    await use_cases.hubs.configure(staff, HUB, None, None)
    background(participation.relay().run)
    background(notifications.run_worker)
    background(issues.run_worker)

    # Online, and starting in under a minute: the reminder (a day ahead) is due at once.
    starts = datetime.now(UTC) + timedelta(seconds=40)
    title = f"Residents' forum {unique}"
    meeting = await use_cases.meetings.schedule(
        staff,
        ScheduleRequest(
            hub_id=HUB,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            place=Place(kind="online", name="Online", online_url="https://meet.example.org/forum"),
            capacity=20,
            waitlist=False,
        ),
    )
    registered = await use_cases.registrations.register(
        resident, meeting.id, access_needs="Captions, please", contact=Contact("Ann", email, None)
    )
    assert registered.status == "registered"

    [invitation] = await wait_until(lambda: _mail(smtp_server, email, "You are registered"), timeout_s=60)
    assert "https://meet.example.org/forum" in invitation.get_content() and "Hello Ann" in invitation.get_content()
    assert "Captions" not in invitation.get_content()
    [reminder] = await wait_until(lambda: _mail(smtp_server, email, "Reminder"), timeout_s=60)
    assert title in reminder["Subject"]

    async def started() -> bool:
        return datetime.now(UTC) > starts

    await wait_until(started, timeout_s=60)  # minutes come once the meeting has started
    held = await use_cases.minutes.publish(
        staff,
        meeting.id,
        "Twelve residents came and agreed two things.",
        [
            ActionRequest("Fix the bus shelter light", "Highways team", datetime.now(UTC).date() + timedelta(days=30)),
            ActionRequest("Add two benches on the hill", "Parks team", datetime.now(UTC).date() + timedelta(days=60)),
        ],
        None,
    )
    [minutes] = await wait_until(lambda: _mail(smtp_server, email, "The minutes of"), timeout_s=60)
    assert "agreed two things" in minutes.get_content()
    done = held.actions[0]
    await use_cases.minutes.complete_action(staff, meeting.id, done.id, "The light was fixed.", None)

    app = create_app(ISSUES, issues.settings, context=issues)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://issues.test") as client,
    ):

        async def shown() -> list | None:
            page = (await client.get(f"/v1/hubs/{HUB}/you-said-we-did/forum-actions")).json()["items"]
            return [a for a in page if a["meeting_id"] == meeting.id] or None

        [action] = await wait_until(shown, timeout_s=60)
        assert action["id"] == done.id and action["action"] == "Fix the bus shelter light"
        assert action["we_did"] == "The light was fixed." and action["you_said"] == title
        fixed = await client.get(f"/v1/hubs/{HUB}/you-said-we-did")
        assert fixed.status_code == 200  # the fixed problems' log beside it
    assert len(smtp_server.to(email)) == 3  # invitation, reminder, minutes: each once


async def _mail(smtp_server, address: str, subject_has: str) -> list:
    return [m for m in smtp_server.to(address) if subject_has in m["Subject"]]


async def test_issues_events_on_the_broker_put_the_hub_s_top_open_issues_on_a_forum_s_agenda(
    service_context, kafka, background, wait_until, unique
):
    participation = await service_context(PARTICIPATION)
    await kafka.skip_history(participation.settings.consumer_group, list(participation.definition.consumes))
    staff = Principal(sub=f"staff-{unique}", role="staff", hubs=(HUB,))
    await participation.components.use_cases.hubs.configure(staff, HUB, None, None)
    where = {"lat": 53.815, "lon": -1.55}
    day = datetime(2026, 3, 1, 9, tzinfo=UTC)
    topic = events_topic("issues")

    def record(data, at: datetime, event_id: str | None = None):
        return envelope.encode(
            topic=topic,
            event_id=event_id or f"{unique}-{data.issue_id}-{data.event_type}-{at.isoformat()}",
            source="/hub/issues",
            event_type=data.event_type,
            time=at,
            subject=data.issue_id,
            data=data.model_dump(mode="json"),
            hub_id=HUB,
        )

    records = []
    for name, opened, supports in (("Potholes", day, 3), ("Litter", day - timedelta(days=1), 1), ("Graffiti", day, 5)):
        issue_id = f"iss-{name.lower()}-{unique}"
        reported = IssueReported(
            issue_id=issue_id,
            hub_id=HUB,
            service_code=name.lower(),
            service_name=name,
            description="Outside number 12",
            location=where,
            reporter_id=f"res-{unique}",
            requested_at=opened,
        )
        records.append(record(reported, opened))
        for n in range(1, supports + 1):
            at = opened + timedelta(hours=n)
            support = IssueSupported(
                issue_id=issue_id,
                hub_id=HUB,
                service_code=name.lower(),
                location=where,
                supporter_id=f"res-{n}-{unique}",
                support_count=n,
                supported_at=at,
            )
            records.append(record(support, at))
    records.append(records[1])  # a repeat of potholes' first "me too"
    graffiti = f"iss-graffiti-{unique}"
    closed = IssueClosed(
        issue_id=graffiti,
        hub_id=HUB,
        service_code="graffiti",
        service_name="Graffiti",
        location=where,
        previous_status="reported",
        status="closed_not_fixed",
        open311_status="closed",
        public_note="On private land.",
        changed_by_role="staff",
        changed_at=day + timedelta(days=2),
    )
    late = IssueSupported(
        issue_id=graffiti,
        hub_id=HUB,
        service_code="graffiti",
        location=where,
        supporter_id=f"res-late-{unique}",
        support_count=6,
        supported_at=day + timedelta(days=1),
    )
    records += [record(closed, closed.changed_at), record(late, late.supported_at)]
    await kafka.produce_all(records)
    background(participation.run_worker)

    async def read_model_current():
        stored = await participation.db["open_issues"].find({"hub_id": HUB}).to_list()
        graffiti_seen = [d for d in stored if d["_id"] == graffiti and d["support_count"] == 6]
        return stored if len(stored) == 3 and graffiti_seen else None

    await wait_until(read_model_current, timeout_s=60)
    starts = (datetime.now(UTC) + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    meeting = await participation.components.use_cases.meetings.schedule(
        staff,
        ScheduleRequest(
            hub_id=HUB,
            title="Northfield residents' forum",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place=Place(kind="online", name="Online", online_url="https://meet.example.org/forum"),
            capacity=60,
            waitlist=True,
            top_ideas=0,
            top_priorities=5,
        ),
    )
    assert [(i.kind, i.issue_id, i.support_count) for i in meeting.agenda] == [
        ("priority", f"iss-potholes-{unique}", 3),
        ("priority", f"iss-litter-{unique}", 1),
    ]

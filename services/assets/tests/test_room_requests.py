"""A forum meeting's room, asked for by the participation service on hub.assets.inbound: booked as
the hub's staff through the usual rules and answered with the request's id; declined with the reason
when the room cannot be had; later decisions answered too; given back when the meeting is called
off; refused from any other sender."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from assets_testkit import NORTH, Api, next_weekday_at, room_body

from hub_assets.handlers import handlers
from hub_common.consumer import PermanentError
from hub_common.contracts.participation import RoomBookingReleased, RoomBookingRequested
from hub_common.envelope import Envelope
from hub_common.partner_grants import PartnerGrantRepository

ANSWERED = "hub.assets.room_booking.answered.v1"
START = next_weekday_at(18)


def request(room_id: str, request_id: str = "meeting-1", source: str = "/hub/participation", **changes) -> Envelope:
    data = RoomBookingRequested(
        request_id=request_id,
        hub_id=NORTH,
        room_id=room_id,
        starts_at=changes.pop("starts_at", START),
        ends_at=changes.pop("ends_at", START + timedelta(hours=2)),
        purpose="Resident forum: Northfield residents' forum",
        attendees=changes.pop("attendees", 10),
        requested_by="staff-forum",
        requested_at=datetime.now(UTC),
    )
    return Envelope(
        id=str(uuid.uuid4()), source=source, type=data.event_type, time=datetime.now(UTC), subject=request_id, data=data
    )


def release(request_id: str = "meeting-1", source: str = "/hub/participation", room_id: str = "room") -> Envelope:
    data = RoomBookingReleased(
        request_id=request_id,
        hub_id=NORTH,
        room_id=room_id,
        reason="The forum meeting was called off: too few could come",
        released_by="staff-forum",
        released_at=datetime.now(UTC),
    )
    return Envelope(
        id=str(uuid.uuid4()), source=source, type=data.event_type, time=datetime.now(UTC), subject=request_id, data=data
    )


async def apply(api: Api, event: Envelope) -> None:
    handler = handlers(api.use_cases, PartnerGrantRepository(api.db))[event.type]
    await api.ctx.uow.run(lambda tx: handler(event, tx))


@pytest.fixture
async def room(api: Api) -> str:
    return (await api.create(room_body()))["id"]


async def test_a_forum_room_is_booked_as_the_hub_staff_and_answered_with_the_request_id(api: Api, room: str) -> None:
    await apply(api, request(room))
    await apply(api, request(room))  # asked again (a new copy of the request): booked once

    [answer] = await api.events(ANSWERED)
    assert answer["subject"] == "meeting-1" and answer["topic"] == "hub.assets.events"
    data = answer["data"]
    assert (data["request_id"], data["requested_by"], data["status"]) == ("meeting-1", "participation", "confirmed")
    [confirmed] = await api.events("hub.assets.booking.confirmed.v1")
    assert confirmed["data"]["booking_id"] == data["booking_id"] and confirmed["data"]["booker_id"] == "staff-forum"
    assert await api.count("bookings") == 1

    # Staff cancel it later through the API: the service that asked hears it, with the reason.
    cancelled = await api.client.post(
        f"/v1/bookings/{data['booking_id']}/cancel", json={"reason": "Boiler repairs"}, headers=api.staff
    )
    assert cancelled.status_code == 200, cancelled.text
    later = [e["data"] for e in await api.events(ANSWERED)]
    assert [(a["status"], a["reason"]) for a in later] == [("confirmed", None), ("cancelled", "Boiler repairs")]


async def test_a_room_that_cannot_be_had_is_declined_with_the_reason(api: Api, room: str) -> None:
    await apply(api, request(room, "meeting-1"))
    await apply(api, request(room, "meeting-2"))  # the same slot: already booked
    await apply(api, request(room, "meeting-3", attendees=50))  # more than the room holds
    await apply(api, request("no-such-room", "meeting-4"))

    answers = {e["data"]["request_id"]: e["data"] for e in await api.events(ANSWERED)}
    assert answers["meeting-1"]["status"] == "confirmed"
    for request_id, why in (("meeting-2", "already booked"), ("meeting-3", "at most 12"), ("meeting-4", "no room")):
        assert answers[request_id]["status"] == "declined" and answers[request_id]["booking_id"] is None
        assert why in answers[request_id]["reason"], answers[request_id]["reason"]
    assert await api.count("bookings") == 1


@pytest.mark.parametrize("source", ["/partners/partner-a", "/hub/volunteers", "/somewhere"])
async def test_only_the_participation_service_may_ask(api: Api, room: str, source: str) -> None:
    with pytest.raises(PermanentError, match="may not request or release room bookings"):
        await apply(api, request(room, source=source))
    assert await api.count("bookings") == 0 and await api.events(ANSWERED) == []
    await apply(api, request(room))
    with pytest.raises(PermanentError, match="may not request or release room bookings"):
        await apply(api, release(room_id=room, source=source))
    assert [e["data"]["status"] for e in await api.events(ANSWERED)] == ["confirmed"]  # it stands


async def test_a_called_off_meetings_room_is_given_back_once_and_the_slot_is_free(api: Api, room: str) -> None:
    await apply(api, release("meeting-0", room_id=room))  # never booked: nothing to give back
    await apply(api, request(room))
    await apply(api, release(room_id=room))
    await apply(api, release(room_id=room))  # a copy of the release: cancelled once

    answers = [(a["data"]["status"], a["data"]["reason"]) for a in await api.events(ANSWERED)]
    assert answers == [("confirmed", None), ("cancelled", "The forum meeting was called off: too few could come")]
    assert len(await api.events("hub.assets.booking.cancelled.v1")) == 1
    await apply(api, request(room, "meeting-2"))  # the same slot, asked for by another meeting
    assert (await api.events(ANSWERED))[-1]["data"]["status"] == "confirmed"

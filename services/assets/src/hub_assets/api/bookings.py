"""HTTP API of room bookings: book, weekly series, the room's calendar feed, lists, the lifecycle,
the usage report and "forget me"."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from icalendar import Calendar, Event

from hub_assets.api.deps import Bookings, PersonalData
from hub_assets.api.schemas import BookingIn, ReasonIn, SeriesOut, UsageReport, WeeklyBookingIn
from hub_assets.domain.assets import Asset
from hub_assets.domain.bookings import Booking
from hub_common.contracts.assets import BookingStatus
from hub_common.errors import RuleViolation
from hub_common.http import Caller, Idempotency, IfMatch, Paging, set_etag
from hub_common.pagination import Page

router = APIRouter(prefix="/v1", tags=["bookings"])


@router.post("/rooms/{room_id}/bookings", status_code=201, summary="Book a room (any signed-in role it allows)")
async def book(
    room_id: str, body: BookingIn, response: Response, principal: Caller, bookings: Bookings, idempotency: Idempotency
) -> Booking:
    booking = await bookings.request(
        principal,
        room_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        purpose=body.purpose,
        attendees=body.attendees,
        organisation_id=body.organisation_id,
        contact=body.contact.to_contact() if body.contact else None,
        idempotency=idempotency,
    )
    set_etag(response, booking.version)
    response.headers["Location"] = f"/v1/bookings/{booking.id}"
    return booking


@router.post(
    "/rooms/{room_id}/bookings/weekly",
    status_code=201,
    summary="Book a slot weekly; occurrences that cannot be booked come back as conflicts",
)
async def book_weekly(
    room_id: str, body: WeeklyBookingIn, principal: Caller, bookings: Bookings, idempotency: Idempotency
) -> SeriesOut:
    series = await bookings.request_weekly(
        principal,
        room_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        weeks=body.weeks,
        purpose=body.purpose,
        attendees=body.attendees,
        organisation_id=body.organisation_id,
        idempotency=idempotency,
    )
    return SeriesOut.model_validate(series.model_dump(mode="json"))


@router.get(
    "/rooms/{room_id}/calendar.ics",
    summary="iCalendar feed of the room's confirmed bookings (busy times only, no booker details)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def calendar(room_id: str, bookings: Bookings) -> Response:
    room, confirmed = await bookings.calendar(room_id)
    return Response(_ical(room, confirmed), media_type="text/calendar; charset=utf-8")


def _ical(room: Asset, bookings: list[Booking]) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Community Hub//assets//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", room.name)
    for booking in bookings:
        event = Event()
        event.add("uid", f"{booking.id}@assets.hub")
        event.add("dtstamp", booking.updated_at)
        event.add("dtstart", booking.starts_at)
        event.add("dtend", booking.ends_at)
        event.add("summary", "Booked")
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        if room.address:
            event.add("location", room.address)
        cal.add_component(event)
    return cal.to_ical()


@router.get("/bookings", summary="Bookings: yours, or (hub staff) a hub's by status")
async def list_bookings(
    page: Paging,
    principal: Caller,
    bookings: Bookings,
    hub_id: Annotated[str | None, Query(max_length=64, description="staff: this hub's bookings")] = None,
    status: BookingStatus | None = None,
    room_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[Booking]:
    items, cursor = await bookings.listing(
        principal, hub_id=hub_id, room_id=room_id, status=status, limit=page.limit, cursor=page.cursor
    )
    return Page[Booking](items=items, next_cursor=cursor)


@router.get("/usage", summary="Joint use of facilities: hours booked per room and per organisation (hub staff)")
async def usage(
    principal: Caller,
    bookings: Bookings,
    hub_id: Annotated[str, Query(max_length=64)],
    since: Annotated[datetime, Query(alias="from", description="start of the period (RFC 3339)")],
    until: Annotated[datetime, Query(alias="to", description="end of the period (exclusive)")],
) -> UsageReport:
    if since.tzinfo is None or until.tzinfo is None:
        raise RuleViolation("'from' and 'to' need a time zone (e.g. 2026-01-01T00:00:00Z)")
    return UsageReport.model_validate(await bookings.usage(principal, hub_id, since, until))


@router.post(
    "/me/forget",
    status_code=202,
    tags=["privacy"],
    summary="Forget me: drop my contact details everywhere and clear my bookings' free text",
)
async def forget_me(principal: Caller, personal_data: PersonalData) -> dict[str, int]:
    return {"bookings_cleared": await personal_data.forget_me(principal)}


@router.get("/bookings/{booking_id}", summary="One booking (its booker or hub staff)")
async def get_booking(booking_id: str, response: Response, principal: Caller, bookings: Bookings) -> Booking:
    booking = await bookings.get(principal, booking_id)
    set_etag(response, booking.version)
    return booking


def _transition_route(path: str, target: BookingStatus, summary: str) -> None:
    @router.post(f"/bookings/{{booking_id}}/{path}", summary=summary, name=f"booking_{path}")
    async def change(
        booking_id: str,
        response: Response,
        principal: Caller,
        expected: IfMatch,
        bookings: Bookings,
        body: ReasonIn | None = None,
    ) -> Booking:
        booking = await bookings.change(
            principal, booking_id, target, reason=body.reason if body else None, expected=expected
        )
        set_etag(response, booking.version)
        return booking


_transition_route("confirm", "confirmed", "Approve a requested booking (hub staff)")
_transition_route("decline", "declined", "Decline a requested booking (hub staff)")
_transition_route("cancel", "cancelled", "Cancel a booking (its booker or hub staff)")
_transition_route("complete", "completed", "Mark a confirmed booking as held (hub staff, after it ends)")

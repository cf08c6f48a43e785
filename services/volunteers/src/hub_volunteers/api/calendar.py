"""iCalendar (RFC 5545) feed of a volunteer's shifts: by bearer token, or by a secret feed URL for calendar apps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from icalendar import Calendar, Event

from hub_common.auth import Principal
from hub_common.errors import NotFound
from hub_common.http import current_principal
from hub_volunteers.adapters.repository import ROLES, SHIFTS, SIGNUPS, VENUES, VOLUNTEERS
from hub_volunteers.service import VolunteersService

Me = Annotated[Principal, Depends(current_principal)]
HISTORY = timedelta(days=90)
ICS = {200: {"content": {"text/calendar": {}}, "description": "an iCalendar feed"}}


async def shifts_calendar(service: VolunteersService, volunteer_id: str) -> bytes:
    db = service.ctx.db
    since = datetime.now(UTC) - HISTORY
    signups = (
        await db[SIGNUPS]
        .find({"volunteer_id": volunteer_id, "starts_at": {"$gte": since}})
        .sort("starts_at", 1)
        .to_list()
    )
    shifts = {d["_id"]: d async for d in db[SHIFTS].find({"_id": {"$in": [s["shift_id"] for s in signups]}})}
    roles = {d["_id"]: d async for d in db[ROLES].find({"_id": {"$in": [s["role_id"] for s in shifts.values()]}})}
    venue_ids = [s["venue_id"] for s in shifts.values() if s.get("venue_id")]
    venues = {d["_id"]: d async for d in db[VENUES].find({"_id": {"$in": venue_ids}})}

    cal = Calendar()
    cal.add("prodid", "-//Community Hub//volunteers//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "My volunteering shifts")
    for signup in signups:
        shift = shifts.get(signup["shift_id"])
        if shift is None:
            continue
        role = roles.get(shift["role_id"], {})
        cancelled = signup["status"] == "cancelled" or shift["status"] == "cancelled"
        event = Event()
        event.add("uid", f"{signup['_id']}@volunteers.hub")
        event.add("dtstamp", signup["updated_at"])
        event.add("dtstart", shift["starts_at"])
        event.add("dtend", shift["ends_at"])
        waitlisted = " (waitlist)" if signup["status"] == "waitlisted" else ""
        event.add("summary", f"{role.get('title', 'Volunteer shift')}{waitlisted}")
        venue = venues.get(shift.get("venue_id") or "")
        location = f"{venue['name']}, {venue.get('address') or ''}".rstrip(", ") if venue else shift.get("address")
        if location:
            event.add("location", location)
        details = [role.get("purpose"), f"Support: {role['support_contact']}" if role.get("support_contact") else None]
        event.add("description", "\n".join(d for d in details if d))
        event.add(
            "status", "CANCELLED" if cancelled else ("TENTATIVE" if signup["status"] == "waitlisted" else "CONFIRMED")
        )
        cal.add_component(event)
    return cal.to_ical()


def build_router(service: VolunteersService) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["calendar"])

    @router.get("/volunteers/{volunteer_id}/shifts.ics", summary="A volunteer's shifts as iCalendar", responses=ICS)
    async def by_bearer(volunteer_id: str, principal: Me) -> Response:
        await service.get_volunteer(principal, volunteer_id)
        return Response(await shifts_calendar(service, volunteer_id), media_type="text/calendar; charset=utf-8")

    @router.get(
        "/calendars/{token}.ics",
        summary="Subscribe from a calendar app: the secret feed URL from your volunteer record",
        responses=ICS,
    )
    async def by_token(token: str) -> Response:
        doc = await service.ctx.db[VOLUNTEERS].find_one({"calendar_token": token}, {"_id": 1})
        if doc is None or len(token) < 16:
            raise NotFound("there is no calendar at this address")
        return Response(await shifts_calendar(service, doc["_id"]), media_type="text/calendar; charset=utf-8")

    return router

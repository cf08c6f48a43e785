"""A volunteer's shifts as an iCalendar (RFC 5545) feed: by bearer token, or by the secret feed URL
calendar apps subscribe to."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.errors import NotFound
from hub_volunteers.adapters.roles import RoleRepository
from hub_volunteers.adapters.shifts import ShiftRepository
from hub_volunteers.adapters.signups import SignupRepository
from hub_volunteers.adapters.venues import VenueRepository
from hub_volunteers.adapters.volunteers import VolunteerRepository
from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.shifts import Shift, Signup
from hub_volunteers.domain.venues import Venue
from hub_volunteers.service.common import require_self_or_staff

HISTORY = timedelta(days=90)  # how far back the feed goes
MIN_TOKEN_LENGTH = 16


class CalendarService:
    def __init__(
        self,
        volunteers: VolunteerRepository,
        signups: SignupRepository,
        shifts: ShiftRepository,
        roles: RoleRepository,
        venues: VenueRepository,
        *,
        clock: Clock,
    ) -> None:
        self.volunteers = volunteers
        self.signups = signups
        self.shifts = shifts
        self.roles = roles
        self.venues = venues
        self.clock = clock

    async def feed(self, caller: Principal, volunteer_id: str) -> bytes:
        require_self_or_staff(caller, await self.volunteers.get(volunteer_id))
        return await self._feed(volunteer_id)

    async def feed_by_token(self, token: str) -> bytes:
        volunteer_id = await self.volunteers.id_of_calendar(token)
        if volunteer_id is None or len(token) < MIN_TOKEN_LENGTH:
            raise NotFound("there is no calendar at this address")
        return await self._feed(volunteer_id)

    async def _feed(self, volunteer_id: str) -> bytes:
        signups = await self.signups.since(volunteer_id, self.clock() - HISTORY)
        shifts = await self.shifts.many([s.shift_id for s in signups])
        roles = await self.roles.many([s.role_id for s in shifts.values()])
        venues = await self.venues.many([s.venue_id for s in shifts.values() if s.venue_id])
        cal = Calendar()
        cal.add("prodid", "-//Community Hub//volunteers//EN")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", "My volunteering shifts")
        for signup in signups:
            shift = shifts.get(signup.shift_id)
            if shift is not None:
                cal.add_component(_event(signup, shift, roles.get(shift.role_id), venues.get(shift.venue_id or "")))
        return cal.to_ical()


def _event(signup: Signup, shift: Shift, role: Role | None, venue: Venue | None) -> Event:
    cancelled = signup.status == "cancelled" or shift.status == "cancelled"
    event = Event()
    event.add("uid", f"{signup.id}@volunteers.hub")
    event.add("dtstamp", signup.updated_at)
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    waitlisted = " (waitlist)" if signup.status == "waitlisted" else ""
    event.add("summary", f"{role.title if role else 'Volunteer shift'}{waitlisted}")
    location = f"{venue.name}, {venue.address or ''}".rstrip(", ") if venue else shift.address
    if location:
        event.add("location", location)
    purpose = role.purpose if role else None
    support = f"Support: {role.support_contact}" if role and role.support_contact else None
    event.add("description", "\n".join(d for d in (purpose, support) if d))
    event.add("status", "CANCELLED" if cancelled else ("TENTATIVE" if signup.status == "waitlisted" else "CONFIRMED"))
    return event

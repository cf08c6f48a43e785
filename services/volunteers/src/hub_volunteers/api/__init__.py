"""HTTP API of the volunteers service: one module-level router per sub-domain (``deps`` holds the
use-case aliases, ``schemas`` the response models that are not domain models)."""

from __future__ import annotations

from hub_volunteers.api import calendar, catalogue, hours, matching, shifts, signups, venues, volunteers

routers = [
    volunteers.router,
    hours.router,
    signups.router,
    matching.router,
    calendar.router,
    catalogue.router,
    venues.router,
    shifts.router,
]

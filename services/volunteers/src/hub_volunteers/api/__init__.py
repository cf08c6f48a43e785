"""HTTP API of the volunteers service (FastAPI routers and request/response schemas)."""

from __future__ import annotations

from fastapi import APIRouter

from hub_common.service import ServiceContext
from hub_volunteers.api import calendar, catalogue, shifts, volunteers
from hub_volunteers.service import VolunteersService


def routers(ctx: ServiceContext) -> list[APIRouter]:
    service = VolunteersService(ctx)
    return [
        volunteers.build_router(service),
        catalogue.build_router(service),
        shifts.build_router(service),
        calendar.build_router(service),
    ]

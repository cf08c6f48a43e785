"""Operations: run the periodic work now instead of waiting for the worker's schedule."""

from __future__ import annotations

from fastapi import APIRouter

from hub_assets.api.deps import Periodic
from hub_assets.api.schemas import PeriodicOut
from hub_common.http import Caller

router = APIRouter(prefix="/v1/periodic", tags=["operations"])


@router.post(
    "/run",
    summary="Run the periodic work now (operators): overdue loans, inspections due, past bookings, ACV dates",
    description="The worker runs the same jobs every HUB_PERIODIC_INTERVAL_S.",
)
async def run(principal: Caller, periodic: Periodic) -> PeriodicOut:
    return PeriodicOut(**await periodic.run_now(principal))

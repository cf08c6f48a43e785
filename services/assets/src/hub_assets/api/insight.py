"""Staff insight: how much a hub's rooms and equipment are used, month by month."""

from __future__ import annotations

from fastapi import APIRouter

from hub_assets.api.deps import Usage
from hub_assets.api.schemas import UseInsight
from hub_common.insight import Scope

router = APIRouter(prefix="/v1", tags=["insight"])


@router.get("/insight", summary="Staff: room bookings and equipment loans per month, one hub or several")
async def insight(scope: Scope, usage: Usage) -> UseInsight:
    return UseInsight.model_validate(await usage.insight(scope))

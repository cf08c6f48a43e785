"""Routes for matching: volunteers for a shift, and shifts for a volunteer, each score explained."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hub_common.http import Caller
from hub_volunteers.api.deps import Matching
from hub_volunteers.api.schemas import MatchView, Recommendation

router = APIRouter(prefix="/v1")
Limit = Annotated[int, Query(ge=1, le=100)]


@router.get(
    "/shifts/{shift_id}/matches",
    tags=["matching"],
    summary="Staff: eligible volunteers for a shift, best match first, each score explained",
)
async def matches(shift_id: str, caller: Caller, matching: Matching, limit: Limit = 20) -> list[MatchView]:
    return [MatchView(**m) for m in await matching.match_volunteers(caller, shift_id, limit)]


@router.get(
    "/volunteers/{volunteer_id}/recommended-shifts",
    tags=["volunteers", "matching"],
    summary="Open shifts this volunteer is eligible for, best match first, each score explained",
)
async def recommended(volunteer_id: str, caller: Caller, matching: Matching, limit: Limit = 20) -> list[Recommendation]:
    return [Recommendation(**r) for r in await matching.recommend_shifts(caller, volunteer_id, limit)]

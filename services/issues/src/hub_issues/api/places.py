"""Address and postcode search: where a resident means, before they report (public, no personal data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hub_issues.api.deps import Places
from hub_issues.domain.places import Place

router = APIRouter(prefix="/v1", tags=["places"])


@router.get("/places", summary="Streets, landmarks and postcodes matching the words given, with their positions")
async def search(
    places: Places,
    q: Annotated[str, Query(min_length=2, max_length=200, description="a street, a landmark or a postcode")],
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
) -> list[Place]:
    return await places.search(q, limit)

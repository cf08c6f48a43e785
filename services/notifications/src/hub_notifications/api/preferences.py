"""The signed-in person's notification preferences."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import Caller, IfMatch, set_etag
from hub_notifications.api.deps import Preferences
from hub_notifications.api.schemas import PreferencesIn, PreferencesOut

router = APIRouter(prefix="/v1/preferences", tags=["preferences"])


@router.get("/me", summary="Your notification preferences")
async def my_preferences(principal: Caller, response: Response, preferences: Preferences) -> PreferencesOut:
    mine = await preferences.of(principal.sub)
    set_etag(response, mine.version)
    return PreferencesOut.of(mine)


@router.put("/me", summary="Change what you hear about, how and when")
async def set_my_preferences(
    body: PreferencesIn, principal: Caller, response: Response, expected: IfMatch, preferences: Preferences
) -> PreferencesOut:
    mine = await preferences.save(principal.sub, body.model_dump(mode="json"), expected)
    set_etag(response, mine.version)
    return PreferencesOut.of(mine)

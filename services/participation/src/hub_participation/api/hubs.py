"""``/v1/hubs/{hub_id}``: a hub's idea settings (its support threshold) and its list of ideas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub_common.http import IfMatch, Paging, StaffForHub, set_etag
from hub_common.pagination import Page
from hub_participation.adapters.ideas import IdeaOrder
from hub_participation.api.deps import Hubs, Proposals
from hub_participation.api.schemas import IdeaOut, SettingsIn, SettingsOut, idea_view, settings_view
from hub_participation.domain.idea import IdeaStatus

router = APIRouter(prefix="/v1/hubs/{hub_id}", tags=["hubs"])


@router.get("/idea-settings", summary="The support threshold that takes a hub's ideas to a response")
async def get_settings(hub_id: str, response: Response, hubs: Hubs) -> SettingsOut:
    settings = await hubs.get(hub_id)
    set_etag(response, settings.version)
    return settings_view(settings, hubs.default_threshold)


@router.put("/idea-settings", summary="Open the hub for ideas, or set its support threshold (hub staff)")
async def put_settings(
    hub_id: str, body: SettingsIn, response: Response, caller: StaffForHub, expected: IfMatch, hubs: Hubs
) -> SettingsOut:
    settings = await hubs.configure(caller, hub_id, body.support_threshold, expected)
    set_etag(response, settings.version)
    return settings_view(settings, hubs.default_threshold)


@router.get("/ideas", tags=["ideas"], summary="A hub's ideas, most supported or newest first (hidden ones left out)")
async def list_ideas(
    hub_id: str,
    paging: Paging,
    proposals: Proposals,
    sort: IdeaOrder = "support",
    status: Annotated[IdeaStatus | None, Query(description="only ideas in this state")] = None,
) -> Page[IdeaOut]:
    ideas, cursor = await proposals.in_hub(hub_id, sort, status, paging)
    return Page[IdeaOut](items=[idea_view(idea) for idea in ideas], next_cursor=cursor)

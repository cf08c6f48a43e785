"""Moderation of ideas: flag one for the moderators (anyone signed in), hide one (its hub's staff)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import Caller, Idempotency, IfMatch, set_etag
from hub_participation.api.deps import Editor, Moderation
from hub_participation.api.schemas import FlagIn, FlagOut, HideIn, IdeaOut, idea_view

router = APIRouter(prefix="/v1/ideas/{idea_id}", tags=["moderation"])


@router.post("/flags", summary="Tell the moderators an idea breaks the rules (anyone signed in; once each)")
async def flag_idea(
    idea_id: str, body: FlagIn, caller: Caller, moderation: Moderation, idempotency: Idempotency
) -> FlagOut:
    count = await moderation.flag(caller, idea_id, body.reason, idempotency)
    return FlagOut(idea_id=idea_id, flag_count=count)


@router.post("/hide", summary="Hide an idea with a public reason (its hub's staff; send If-Match)")
async def hide_idea(
    idea_id: str, body: HideIn, response: Response, caller: Editor, expected: IfMatch, moderation: Moderation
) -> IdeaOut:
    idea = await moderation.hide(caller, idea_id, body.reason, expected)
    set_etag(response, idea.version)
    return idea_view(idea)

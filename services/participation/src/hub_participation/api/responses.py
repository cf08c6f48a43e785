"""The hub's answer to an idea and the progress of its action (the idea's hub's staff)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import Idempotency, IfMatch, set_etag
from hub_participation.api.deps import Editor, Responses
from hub_participation.api.schemas import IdeaOut, ProgressIn, RespondIn, idea_view

router = APIRouter(prefix="/v1/ideas/{idea_id}", tags=["responses"])


@router.post("/response", summary="Answer an idea in public: accepted, or not taken forward with the reason")
async def respond(
    idea_id: str,
    body: RespondIn,
    response: Response,
    caller: Editor,
    expected: IfMatch,
    responses: Responses,
    idempotency: Idempotency,
) -> IdeaOut:
    idea = await responses.respond(caller, idea_id, body.outcome, body.response, expected, idempotency)
    set_etag(response, idea.version)
    return idea_view(idea)


@router.post("/progress", summary="Publish progress on an accepted idea's action")
async def publish_progress(
    idea_id: str, body: ProgressIn, response: Response, caller: Editor, responses: Responses, idempotency: Idempotency
) -> IdeaOut:
    idea = await responses.publish_progress(caller, idea_id, body.note, body.done, idempotency)
    set_etag(response, idea.version)
    return idea_view(idea)

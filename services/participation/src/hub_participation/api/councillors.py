"""Ward councillors: a public comment on an idea of their hub, and their brief of the hub."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import Caller, Idempotency, set_etag
from hub_participation.api.councillor_schemas import CouncillorBriefOut, brief_view
from hub_participation.api.deps import Councillor, Councillors
from hub_participation.api.schemas import CouncillorCommentIn, IdeaOut, idea_view

router = APIRouter(tags=["councillors"])


@router.post(
    "/v1/ideas/{idea_id}/councillor-comments",
    status_code=201,
    summary="Comment on an idea in public as a councillor of its hub (its status is unchanged)",
)
async def comment(
    idea_id: str,
    body: CouncillorCommentIn,
    response: Response,
    caller: Councillor,
    councillors: Councillors,
    idempotency: Idempotency,
) -> IdeaOut:
    idea = await councillors.comment(
        caller, idea_id, body.display_name.strip(), body.comment.strip(), idempotency=idempotency
    )
    set_etag(response, idea.version)
    response.headers["Location"] = f"/v1/ideas/{idea.id}"
    return idea_view(idea)


@router.get(
    "/v1/hubs/{hub_id}/councillor-brief",
    summary="A councillor's brief of their hub: ideas awaiting an answer, the most supported, forums, actions",
)
async def councillor_brief(hub_id: str, caller: Caller, councillors: Councillors) -> CouncillorBriefOut:
    return brief_view(await councillors.brief(caller, hub_id))

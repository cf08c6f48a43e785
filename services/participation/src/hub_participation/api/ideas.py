"""``/v1/ideas``: propose an idea (with similar open ones), read and edit it, support and follow it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub_common.http import Caller, Idempotency, IfMatch, set_etag
from hub_participation.api.deps import Proposals, Resident, Support
from hub_participation.api.schemas import (
    HUB_ID,
    FollowIn,
    FollowOut,
    IdeaOut,
    ProposalOut,
    ProposeIn,
    SimilarOut,
    SupportIn,
    SupportOut,
    WordingIn,
    idea_view,
    similar_view,
)
from hub_participation.service.proposals import ProposalRequest

router = APIRouter(prefix="/v1/ideas", tags=["ideas"])


@router.post("", status_code=201, summary="Propose an idea for your hub (signed-in residents)")
async def propose(
    body: ProposeIn, response: Response, caller: Resident, proposals: Proposals, idempotency: Idempotency
) -> ProposalOut:
    request = ProposalRequest(
        hub_id=body.hub_id,
        wording=body.wording(),
        display_name=body.display_name.strip() if body.display_name else None,
        contact=body.contact.contact() if body.contact else None,
    )
    proposal = await proposals.propose(caller, request, idempotency)
    set_etag(response, proposal.idea.version)
    response.headers["Location"] = f"/v1/ideas/{proposal.idea.id}"
    return ProposalOut(idea=idea_view(proposal.idea), similar=similar_view(proposal.similar))


@router.get("/similar", summary="Open ideas of a hub like the one you are about to propose")
async def similar(
    proposals: Proposals,
    hub_id: Annotated[str, Query(pattern=HUB_ID)],
    title: Annotated[str, Query(min_length=1, max_length=120)],
    description: Annotated[str | None, Query(max_length=4000)] = None,
) -> list[SimilarOut]:
    return similar_view(await proposals.similar(hub_id, title, description))


@router.get("/{idea_id}", summary="One idea, its support, answer and progress")
async def get_idea(idea_id: str, response: Response, proposals: Proposals) -> IdeaOut:
    idea = await proposals.get(idea_id)
    set_etag(response, idea.version)
    return idea_view(idea)


@router.put("/{idea_id}", summary="Reword your idea (its proposer; the old wording stays in its edit history)")
async def edit_idea(
    idea_id: str, body: WordingIn, response: Response, caller: Caller, expected: IfMatch, proposals: Proposals
) -> IdeaOut:
    idea = await proposals.edit(caller, idea_id, body.wording(), expected)
    set_etag(response, idea.version)
    return idea_view(idea)


@router.post("/{idea_id}/supports", summary="Support an idea (signed-in residents; once each)")
async def support_idea(
    idea_id: str, body: SupportIn, caller: Resident, support: Support, idempotency: Idempotency
) -> SupportOut:
    outcome = await support.support(caller, idea_id, follow=body.follow, idempotency=idempotency)
    return SupportOut(**outcome.model_dump())


@router.post("/{idea_id}/followers", summary="Hear an idea's response and progress (signed-in residents)")
async def follow_idea(idea_id: str, body: FollowIn, caller: Resident, support: Support) -> FollowOut:
    idea = await support.follow(caller, idea_id, body.contact.contact() if body.contact else None)
    return FollowOut(idea_id=idea.id)

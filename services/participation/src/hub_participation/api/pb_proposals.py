"""Proposals to a budgeting round (residents submit, the hub's staff review) and the funded projects'
progress (``/v1/pb/proposals/{id}/progress``). Never who proposed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub_common.http import Idempotency, IfMatch, OptionalCaller, Paging, set_etag
from hub_common.pagination import Page
from hub_participation.api.deps import Editor, PbProjects, PbProposals, Resident
from hub_participation.api.pb_schemas import ProgressIn, ProposalIn, ProposalOut, ReviewIn, proposal_view
from hub_participation.domain.pb_proposal import ProposalStatus
from hub_participation.service.pb_proposals import Review, Submission

router = APIRouter(tags=["participatory budgeting"])


@router.post(
    "/v1/pb/rounds/{round_id}/proposals", status_code=201, summary="Submit a costed proposal (signed-in residents)"
)
async def submit_proposal(
    round_id: str,
    body: ProposalIn,
    response: Response,
    caller: Resident,
    proposals: PbProposals,
    idempotency: Idempotency,
) -> ProposalOut:
    submission = Submission(title=body.title, description=body.description, estimated_cost=body.estimated_cost)
    contact = body.contact.contact() if body.contact else None
    proposal = await proposals.submit(caller, round_id, submission, contact, idempotency)
    set_etag(response, proposal.version)
    response.headers["Location"] = f"/v1/pb/proposals/{proposal.id}"
    return proposal_view(proposal)


@router.get("/v1/pb/rounds/{round_id}/proposals", summary="A round's proposals, in the order they came")
async def round_proposals(
    round_id: str,
    caller: OptionalCaller,
    proposals: PbProposals,
    paging: Paging,
    status: Annotated[ProposalStatus | None, Query(description="e.g. eligible: the ballot")] = None,
) -> Page[ProposalOut]:
    found, cursor = await proposals.in_round(caller, round_id, status, paging)
    return Page[ProposalOut](items=[proposal_view(p) for p in found], next_cursor=cursor)


@router.get("/v1/pb/proposals/{proposal_id}", summary="A proposal, its review and (if funded) its progress")
async def get_proposal(
    proposal_id: str, response: Response, caller: OptionalCaller, proposals: PbProposals
) -> ProposalOut:
    proposal = await proposals.get(caller, proposal_id)
    set_etag(response, proposal.version)
    return proposal_view(proposal)


@router.post("/v1/pb/proposals/{proposal_id}/review", summary="Eligible at a final cost, or not with a public reason")
async def review_proposal(
    proposal_id: str, body: ReviewIn, response: Response, caller: Editor, expected: IfMatch, proposals: PbProposals
) -> ProposalOut:
    review = Review(eligible=body.eligible, final_cost=body.final_cost, reason=body.reason)
    proposal = await proposals.review(caller, proposal_id, review, expected)
    set_etag(response, proposal.version)
    return proposal_view(proposal)


@router.post("/v1/pb/proposals/{proposal_id}/progress", summary="Progress on a funded project (done: delivered)")
async def project_progress(
    proposal_id: str,
    body: ProgressIn,
    response: Response,
    caller: Editor,
    expected: IfMatch,
    projects: PbProjects,
    idempotency: Idempotency,
) -> ProposalOut:
    proposal = await projects.progress(caller, proposal_id, body.note, body.done, expected, idempotency)
    set_etag(response, proposal.version)
    return proposal_view(proposal)

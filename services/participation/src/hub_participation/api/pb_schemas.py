"""Request and response schemas of participatory budgeting (money in whole pence; no proposer, no voter)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from hub_participation.api.schemas import HUB_ID, ContactIn, Strict
from hub_participation.domain.pb_count import ProjectResult, RoundResults
from hub_participation.domain.pb_proposal import Proposal, ProposalStatus
from hub_participation.domain.pb_round import Phase, Round, VotingMethod
from hub_participation.service.pb_ballots import Cast
from hub_participation.service.pb_results import Recount

PENCE = Annotated[int, Field(ge=1, le=10_000_000_000, description="in whole pence")]
TITLE = Annotated[str, Field(min_length=5, max_length=160)]
DESCRIPTION = Annotated[str, Field(min_length=10, max_length=4000)]


class RoundRules(Strict):
    budget: PENCE
    method: VotingMethod = Field(
        description="allocation: choose projects whose costs fit the budget; approval: approve any number"
    )
    max_approvals: int | None = Field(default=None, ge=1, le=100, description="approval: the most one ballot approves")
    proposals_close_at: AwareDatetime | None = Field(default=None, description="no proposals after this, if set")
    voting_opens_at: AwareDatetime | None = Field(default=None, description="default: when staff open voting")
    voting_closes_at: AwareDatetime | None = Field(default=None, description="needed before voting opens")


class RoundIn(RoundRules):
    hub_id: str = Field(pattern=HUB_ID)
    title: TITLE
    description: DESCRIPTION


class RoundEditIn(Strict):
    title: TITLE | None = None
    description: DESCRIPTION | None = None
    budget: PENCE | None = None
    method: VotingMethod | None = None
    max_approvals: int | None = Field(default=None, ge=1, le=100)
    proposals_close_at: AwareDatetime | None = None
    voting_opens_at: AwareDatetime | None = None
    voting_closes_at: AwareDatetime | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class AdvanceIn(Strict):
    to: Literal["proposals", "review", "voting"] = Field(description="the round's next phase (and only that)")


class RoundOut(BaseModel):
    id: str
    hub_id: str
    title: str
    description: str
    budget: int = Field(description="in pence")
    method: VotingMethod
    max_approvals: int | None
    phase: Phase
    proposals_close_at: datetime | None
    voting_opens_at: datetime | None
    voting_closes_at: datetime | None
    closed_at: datetime | None
    ballots: int = Field(description="how many residents have voted")


def round_view(budget_round: Round) -> RoundOut:
    return RoundOut(**budget_round.model_dump(exclude={"created_by", "created_at", "results", "version"}))


class ProposalIn(Strict):
    title: TITLE
    description: DESCRIPTION
    estimated_cost: PENCE
    contact: ContactIn | None = Field(default=None, description="to hear when voting opens and the results")


class ReviewIn(Strict):
    eligible: bool
    final_cost: PENCE | None = Field(default=None, description="when eligible (default: the estimate)")
    reason: str | None = Field(default=None, min_length=3, max_length=1000, description="public; needed if not")


class ProgressIn(Strict):
    note: str = Field(min_length=3, max_length=4000, description="public: what has been done")
    done: bool = Field(default=False, description="the project is delivered")


class UpdateOut(BaseModel):
    note: str
    done: bool
    at: datetime


class ProposalOut(BaseModel):
    """A proposal in public: never who proposed it."""

    id: str
    round_id: str
    hub_id: str
    title: str
    description: str
    estimated_cost: int = Field(description="in pence, the proposer's estimate")
    final_cost: int | None = Field(description="in pence, as reviewed")
    status: ProposalStatus
    review_reason: str | None
    submitted_at: datetime
    reviewed_at: datetime | None
    votes: int | None
    updates: list[UpdateOut]
    delivered_at: datetime | None


def proposal_view(proposal: Proposal) -> ProposalOut:
    return ProposalOut(
        **proposal.model_dump(exclude={"proposer_id", "reviewed_by", "updates", "version"}),
        updates=[UpdateOut(note=u.note, done=u.done, at=u.at) for u in proposal.updates],
    )


class BallotIn(Strict):
    choices: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        max_length=100, description="the ids of the projects you choose (allocation) or approve (approval)"
    )


class BallotOut(BaseModel):
    round_id: str
    choices: list[str]
    replaced: bool = Field(description="it replaced your earlier ballot")
    ballots: int = Field(description="how many residents have voted in the round")


def ballot_view(cast: Cast) -> BallotOut:
    return BallotOut(round_id=cast.round_id, choices=list(cast.choices), replaced=not cast.first, ballots=cast.ballots)


class MyBallotOut(BaseModel):
    round_id: str
    choices: list[str]


class ResultsOut(BaseModel):
    round_id: str
    method: str
    budget: int = Field(description="in pence")
    ballots: int
    funded_total: int = Field(description="in pence")
    projects: list[ProjectResult] = Field(description="in the order the winners were chosen")


def results_view(results: RoundResults) -> ResultsOut:
    return ResultsOut(**results.model_dump())


class RecountOut(BaseModel):
    matches: bool = Field(description="the stored ballots, counted again, give the published results")
    published: ResultsOut
    recounted: ResultsOut


def recount_view(recount: Recount) -> RecountOut:
    return RecountOut(
        matches=recount.matches, published=results_view(recount.published), recounted=results_view(recount.recounted)
    )

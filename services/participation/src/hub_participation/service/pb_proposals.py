"""Proposals to a participatory budgeting round: residents (signed in, as for ideas) submit costed
proposals while the round takes them; the hub's staff review each before voting. The public sees a
proposal without its proposer."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contact_details import Contact
from hub_common.contracts.participation import PbProposalReviewed, PbProposalSubmitted
from hub_common.errors import NotFound
from hub_common.http import PageQuery
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_participation.adapters.pb_rounds import ProposalRepository, RoundRepository
from hub_participation.domain.pb_proposal import Proposal, ProposalStatus
from hub_participation.service.contacts import publish_contact


class Submission(BaseModel):
    title: str
    description: str
    estimated_cost: int  # pence


class Review(BaseModel):
    eligible: bool
    final_cost: int | None = None  # pence (default: the estimate)
    reason: str | None = None


class PbProposalService:
    def __init__(
        self, uow: UnitOfWork, rounds: RoundRepository, proposals: ProposalRepository, *, clock: Clock
    ) -> None:
        self.uow = uow
        self.rounds = rounds
        self.proposals = proposals
        self.clock = clock

    async def submit(
        self,
        caller: Principal,
        round_id: str,
        submission: Submission,
        contact: Contact | None = None,
        idempotency: IdempotentRequest | None = None,
        proposal_id: str | None = None,
    ) -> Proposal:
        """A resident's proposal (contact details they leave go to notifications, to hear when voting
        opens and how the round ends)."""
        caller.require_role("resident")
        now = self.clock()

        async def work(tx: Transaction) -> Proposal:
            budget_round = await self.rounds.get(round_id, tx.session)
            budget_round.check_proposals_open(now)
            proposal = Proposal(
                id=proposal_id or f"pbp-{uuid.uuid4().hex[:12]}",
                round_id=round_id,
                hub_id=budget_round.hub_id,
                proposer_id=caller.sub,
                submitted_at=now,
                **submission.model_dump(),
            )
            await self.proposals.add(proposal, tx.session)
            publish_contact(tx, caller.sub, contact, budget_round.hub_id, None)
            tx.publish(
                PbProposalSubmitted(
                    round_id=round_id,
                    hub_id=proposal.hub_id,
                    proposal_id=proposal.id,
                    title=proposal.title,
                    estimated_cost=proposal.estimated_cost,
                    proposer_id=caller.sub,
                    submitted_at=now,
                ),
                subject=round_id,
                hub_id=proposal.hub_id,
            )
            return proposal

        return await self.uow.run(work, idempotency=idempotency, result_type=Proposal)

    async def review(self, caller: Principal, proposal_id: str, review: Review, expected: int | None) -> Proposal:
        """Eligible (on the ballot at its final cost) or ineligible with a public reason; again if
        need be, until voting opens."""
        now = self.clock()

        async def work(tx: Transaction) -> Proposal:
            proposal = await self.proposals.get(proposal_id, tx.session)
            caller.require_staff_for(proposal.hub_id)
            check_version(expected, proposal.version)
            budget_round = await self.rounds.get(proposal.round_id, tx.session)
            budget_round.check_reviewable()
            reviewed = proposal.reviewed(review.eligible, review.final_cost, review.reason, by=caller.sub, at=now)
            await self.proposals.save_if_version(reviewed, proposal.version, tx.session)
            # Write the round as it is: opening the vote (which counts the reviews and writes the round)
            # then conflicts with this review instead of missing it.
            await self.rounds.save_if_version(budget_round, budget_round.version, tx.session)
            tx.publish(
                PbProposalReviewed(
                    round_id=reviewed.round_id,
                    hub_id=reviewed.hub_id,
                    proposal_id=reviewed.id,
                    title=reviewed.title,
                    eligible=review.eligible,
                    final_cost=reviewed.final_cost,
                    reason=reviewed.review_reason,
                    reviewed_at=now,
                ),
                subject=reviewed.round_id,
                hub_id=reviewed.hub_id,
            )
            return reviewed

        return await self.uow.run(work)

    async def get(self, caller: Principal | None, proposal_id: str) -> Proposal:
        proposal = await self.proposals.get(proposal_id)
        await self._readable_round(caller, proposal.round_id)
        return proposal

    async def in_round(
        self, caller: Principal | None, round_id: str, status: ProposalStatus | None, paging: PageQuery
    ) -> tuple[list[Proposal], str | None]:
        await self._readable_round(caller, round_id)
        return await self.proposals.in_round(round_id, status, paging)

    async def _readable_round(self, caller: Principal | None, round_id: str) -> None:
        found = await self.rounds.get(round_id)
        if found.phase == "draft" and not (caller is not None and caller.is_staff_for(found.hub_id)):
            raise NotFound(f"there is no budgeting round {round_id!r}")

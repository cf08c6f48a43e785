"""Proposing ideas: a resident's proposal with the similar open ideas of the hub, their edits, and reading.

Only a signed-in resident proposes (their idea is theirs to edit and to be told about). The proposer
is shown by a display name they choose, or as "a resident": a name they never chose is never shown,
and their email never leaves notifications' contact book.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pydantic import BaseModel

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contact_details import Contact
from hub_common.contracts.participation import IdeaFollowed, IdeaProposed
from hub_common.http import PageQuery
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_participation.adapters.ideas import IdeaOrder, IdeaRepository
from hub_participation.domain.idea import Idea, IdeaStatus, Wording
from hub_participation.domain.similar import SimilarIdea, keywords, similar_ideas
from hub_participation.service.contacts import publish_contact
from hub_participation.service.hubs import HubService


@dataclass(frozen=True)
class ProposalRequest:
    hub_id: str
    wording: Wording
    display_name: str | None = None
    contact: Contact | None = None


class Proposal(BaseModel):
    """What proposing returns (and a repeat with the same Idempotency-Key returns again)."""

    idea: Idea
    similar: list[SimilarIdea]


class ProposalService:
    def __init__(self, uow: UnitOfWork, ideas: IdeaRepository, hubs: HubService, *, clock: Clock) -> None:
        self.uow = uow
        self.ideas = ideas
        self.hubs = hubs
        self.clock = clock

    async def propose(
        self,
        caller: Principal,
        request: ProposalRequest,
        idempotency: IdempotentRequest | None = None,
        *,
        idea_id: str | None = None,  # demo data only: a known id, so a restart adds nothing twice
    ) -> Proposal:
        caller.require_role("resident")
        threshold = await self.hubs.threshold(request.hub_id)
        similar = await self.similar(request.hub_id, request.wording.title, request.wording.description)
        now = self.clock()
        idea = Idea.new(
            idea_id or f"idea-{uuid.uuid4().hex[:12]}",
            request.hub_id,
            request.wording,
            proposer_id=caller.sub,
            display_name=request.display_name,
            support_threshold=threshold,
            at=now,
        )

        async def work(tx: Transaction) -> Proposal:
            await self.ideas.add(idea, tx.session)
            tx.publish(
                IdeaProposed(
                    idea_id=idea.id,
                    hub_id=idea.hub_id,
                    title=idea.wording.title,
                    category=idea.wording.category,
                    location=idea.wording.location,
                    proposer_id=caller.sub,
                    support_threshold=threshold,
                    proposed_at=now,
                ),
                subject=idea.id,
                hub_id=idea.hub_id,
            )
            tx.publish(
                IdeaFollowed(idea_id=idea.id, hub_id=idea.hub_id, follower_id=caller.sub, followed_at=now),
                subject=idea.id,
                hub_id=idea.hub_id,
            )
            publish_contact(tx, caller.sub, request.contact, idea.hub_id, request.display_name)
            return Proposal(idea=idea, similar=similar)

        return await self.uow.run(work, idempotency=idempotency, result_type=Proposal)

    async def similar(self, hub_id: str, title: str, description: str | None) -> list[SimilarIdea]:
        """The hub's open ideas most like this wording (hints against proposing the same thing twice)."""
        candidates = await self.ideas.similar_candidates(hub_id, keywords(title, description))
        return similar_ideas(title, description, candidates)

    async def edit(self, caller: Principal, idea_id: str, wording: Wording, expected: int | None) -> Idea:
        """The proposer rewords their idea; what it said before stays in its public edit history."""

        async def work(tx: Transaction) -> Idea:
            idea = await self.ideas.get(idea_id, tx.session)
            check_version(expected, idea.version)
            edited = idea.edited(caller.sub, wording, self.clock())
            if edited is None:
                return idea
            await self.ideas.save_if_version(edited, idea.version, tx.session)
            return edited

        return await self.uow.run(work)

    async def get(self, idea_id: str) -> Idea:
        return await self.ideas.get(idea_id)

    async def in_hub(
        self, hub_id: str, order: IdeaOrder, status: IdeaStatus | None, paging: PageQuery
    ) -> tuple[list[Idea], str | None]:
        await self.hubs.get(hub_id)  # 404 for a hub not open for ideas
        return await self.ideas.in_hub(hub_id, order, status, paging)

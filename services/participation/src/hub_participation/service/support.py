"""Supporting and following ideas: one support per resident, counted once however often it is sent.

Supports of one idea arriving together each run in a transaction that reads and replaces the idea
at the version it read; the database lets one of two such transactions commit and the other is
retried on the idea as it now is, so the count is exact and the threshold is crossed once.
"""

from __future__ import annotations

from pydantic import BaseModel

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contact_details import Contact
from hub_common.contracts.participation import IdeaFollowed, IdeaSupported, IdeaThresholdReached
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_participation.adapters.ideas import IdeaRepository
from hub_participation.domain.idea import Idea, IdeaStatus
from hub_participation.service.contacts import publish_contact


class SupportOutcome(BaseModel):
    idea_id: str
    counted: bool  # False: this person's support was counted before
    support_count: int
    support_threshold: int
    status: IdeaStatus
    following: bool


class SupportService:
    def __init__(self, uow: UnitOfWork, ideas: IdeaRepository, *, clock: Clock) -> None:
        self.uow = uow
        self.ideas = ideas
        self.clock = clock

    async def support(
        self, caller: Principal, idea_id: str, *, follow: bool, idempotency: IdempotentRequest | None = None
    ) -> SupportOutcome:
        """The resident's support (409 for a hidden or answered idea, or their own); with ``follow``
        they also hear the idea's updates."""
        caller.require_role("resident")

        async def work(tx: Transaction) -> SupportOutcome:
            idea = await self.ideas.get(idea_id, tx.session)
            now = self.clock()
            supported = idea.supported_by(caller.sub, now)
            current = idea
            if supported is not None:
                current, reached = supported
                self._publish_support(tx, current, reached, now)
            if follow:
                current = self._follow(tx, current, caller.sub, now)
            if current is not idea:
                await self.ideas.save_if_version(current, idea.version, tx.session)
            return _outcome(current, counted=supported is not None, person_id=caller.sub)

        return await self.uow.run(work, idempotency=idempotency, result_type=SupportOutcome)

    async def follow(self, caller: Principal, idea_id: str, contact: Contact | None) -> Idea:
        """Hear this idea's updates (its response and progress), with contact details if given."""
        caller.require_role("resident")

        async def work(tx: Transaction) -> Idea:
            idea = await self.ideas.get(idea_id, tx.session)
            followed = self._follow(tx, idea, caller.sub, self.clock())
            if followed is not idea:
                await self.ideas.save_if_version(followed, idea.version, tx.session)
            publish_contact(tx, caller.sub, contact, idea.hub_id, None)
            return followed

        return await self.uow.run(work)

    @staticmethod
    def _publish_support(tx: Transaction, idea: Idea, reached: bool, now) -> None:
        where = {"subject": idea.id, "hub_id": idea.hub_id}
        tx.publish(
            IdeaSupported(
                idea_id=idea.id,
                hub_id=idea.hub_id,
                support_count=idea.support_count,
                support_threshold=idea.support_threshold,
                supported_at=now,
            ),
            **where,
        )
        if reached:
            tx.publish(
                IdeaThresholdReached(
                    idea_id=idea.id,
                    hub_id=idea.hub_id,
                    title=idea.wording.title,
                    proposer_id=idea.proposer_id,
                    support_count=idea.support_count,
                    support_threshold=idea.support_threshold,
                    reached_at=now,
                ),
                **where,
            )

    @staticmethod
    def _follow(tx: Transaction, idea: Idea, person_id: str, now) -> Idea:
        followed = idea.followed_by(person_id, now)
        if followed is None:
            return idea
        tx.publish(
            IdeaFollowed(idea_id=idea.id, hub_id=idea.hub_id, follower_id=person_id, followed_at=now),
            subject=idea.id,
            hub_id=idea.hub_id,
        )
        return followed


def _outcome(idea: Idea, *, counted: bool, person_id: str) -> SupportOutcome:
    return SupportOutcome(
        idea_id=idea.id,
        counted=counted,
        support_count=idea.support_count,
        support_threshold=idea.support_threshold,
        status=idea.status,
        following=person_id in idea.followers,
    )

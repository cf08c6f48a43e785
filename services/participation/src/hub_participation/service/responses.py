"""The hub's answer to an idea (accepted, or not taken forward with the reason) and an action's progress."""

from __future__ import annotations

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.participation import ActionProgressPublished, IdeaOutcome, IdeaResponded
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_participation.adapters.ideas import IdeaRepository
from hub_participation.domain.idea import Idea


class ResponseService:
    def __init__(self, uow: UnitOfWork, ideas: IdeaRepository, *, clock: Clock) -> None:
        self.uow = uow
        self.ideas = ideas
        self.clock = clock

    async def respond(
        self,
        caller: Principal,
        idea_id: str,
        outcome: IdeaOutcome,
        text: str,
        expected: int | None,
        idempotency: IdempotentRequest | None = None,
    ) -> Idea:
        async def work(tx: Transaction) -> Idea:
            idea = await self.ideas.get(idea_id, tx.session)
            caller.require_staff_for(idea.hub_id)
            check_version(expected, idea.version)
            answered = idea.responded(outcome, text, by=caller.sub, at=self.clock())
            await self.ideas.save_if_version(answered, idea.version, tx.session)
            tx.publish(
                IdeaResponded(
                    idea_id=idea.id,
                    hub_id=idea.hub_id,
                    title=idea.wording.title,
                    proposer_id=idea.proposer_id,
                    outcome=outcome,
                    response=text,
                    support_count=idea.support_count,
                    responded_by=caller.sub,
                    responded_at=answered.updated_at,
                ),
                subject=idea.id,
                hub_id=idea.hub_id,
            )
            return answered

        return await self.uow.run(work, idempotency=idempotency, result_type=Idea)

    async def publish_progress(
        self, caller: Principal, idea_id: str, note: str, done: bool, idempotency: IdempotentRequest | None = None
    ) -> Idea:
        async def work(tx: Transaction) -> Idea:
            idea = await self.ideas.get(idea_id, tx.session)
            caller.require_staff_for(idea.hub_id)
            updated = idea.with_progress(note, done, by=caller.sub, at=self.clock())
            await self.ideas.save_if_version(updated, idea.version, tx.session)
            tx.publish(
                ActionProgressPublished(
                    idea_id=idea.id,
                    hub_id=idea.hub_id,
                    title=idea.wording.title,
                    note=note,
                    done=done,
                    published_by=caller.sub,
                    published_at=updated.updated_at,
                ),
                subject=idea.id,
                hub_id=idea.hub_id,
            )
            return updated

        return await self.uow.run(work, idempotency=idempotency, result_type=Idea)

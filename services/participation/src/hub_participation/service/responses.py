"""The hub's answer to an idea (accepted, or not taken forward with the reason) and an action's progress."""

from __future__ import annotations

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contracts.participation import ActionProgressPublished, IdeaOutcome, IdeaResponded
from hub_common.uow import IdempotentRequest, UnitOfWork
from hub_participation.adapters.ideas import IdeaRepository
from hub_participation.domain.idea import Idea
from hub_participation.service.staff_changes import change_as_staff


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
        def responded(idea: Idea, answered: Idea) -> IdeaResponded:
            return IdeaResponded(
                idea_id=idea.id,
                hub_id=idea.hub_id,
                title=idea.wording.title,
                proposer_id=idea.proposer_id,
                outcome=outcome,
                response=text,
                support_count=idea.support_count,
                responded_by=caller.sub,
                responded_at=answered.updated_at,
            )

        return await change_as_staff(
            self.uow,
            self.ideas,
            caller,
            idea_id,
            lambda idea: idea.responded(outcome, text, by=caller.sub, at=self.clock()),
            responded,
            expected=expected,
            idempotency=idempotency,
        )

    async def publish_progress(
        self, caller: Principal, idea_id: str, note: str, done: bool, idempotency: IdempotentRequest | None = None
    ) -> Idea:
        def published(idea: Idea, updated: Idea) -> ActionProgressPublished:
            return ActionProgressPublished(
                idea_id=idea.id,
                hub_id=idea.hub_id,
                title=idea.wording.title,
                note=note,
                done=done,
                support_count=idea.support_count,
                published_by=caller.sub,
                published_at=updated.updated_at,
            )

        return await change_as_staff(
            self.uow,
            self.ideas,
            caller,
            idea_id,
            lambda idea: idea.with_progress(note, done, by=caller.sub, at=self.clock()),
            published,
            idempotency=idempotency,
        )

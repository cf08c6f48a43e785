"""Moderation: anyone signed in flags an idea for the hub's moderators; staff hide it with a public reason."""

from __future__ import annotations

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contracts.participation import IdeaHidden
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_participation.adapters.ideas import IdeaRepository
from hub_participation.domain.idea import Idea
from hub_participation.service.staff_changes import change_as_staff


class ModerationService:
    def __init__(self, uow: UnitOfWork, ideas: IdeaRepository, *, clock: Clock) -> None:
        self.uow = uow
        self.ideas = ideas
        self.clock = clock

    async def flag(
        self, caller: Principal, idea_id: str, reason: str, idempotency: IdempotentRequest | None = None
    ) -> int:
        """One flag per person (a repeat changes nothing); how many people flagged the idea."""

        async def work(tx: Transaction) -> int:
            idea = await self.ideas.get(idea_id, tx.session)
            flagged = idea.flagged_by(caller.sub, reason, self.clock())
            if flagged is None:
                return len(idea.flags)
            await self.ideas.save_if_version(flagged, idea.version, tx.session)
            return len(flagged.flags)

        return await self.uow.run(work, idempotency=idempotency, result_type=int)

    async def hide(self, caller: Principal, idea_id: str, reason: str, expected: int | None) -> Idea:
        """Staff of the idea's hub hide it: off the public lists, no more support, the reason shown."""
        return await change_as_staff(
            self.uow,
            self.ideas,
            caller,
            idea_id,
            lambda idea: idea.hidden_by(reason, by=caller.sub, at=self.clock()),
            lambda idea, hidden: IdeaHidden(
                idea_id=idea.id, hub_id=idea.hub_id, reason=reason, hidden_at=hidden.updated_at
            ),
            expected=expected,
        )

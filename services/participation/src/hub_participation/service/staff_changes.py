"""The one way hub staff change an idea: read it, check they run its hub and read its current version,
apply the domain's change, save it and publish what happened, in one unit of work."""

from __future__ import annotations

from collections.abc import Callable

from hub_common.auth import Principal
from hub_common.concurrency import check_version
from hub_common.contracts import EventData
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_participation.adapters.ideas import IdeaRepository
from hub_participation.domain.idea import Idea


async def change_as_staff(
    uow: UnitOfWork,
    ideas: IdeaRepository,
    caller: Principal,
    idea_id: str,
    change: Callable[[Idea], Idea],
    event: Callable[[Idea, Idea], EventData],  # (before, after) -> what to publish
    *,
    expected: int | None = None,
    idempotency: IdempotentRequest | None = None,
) -> Idea:
    async def work(tx: Transaction) -> Idea:
        idea = await ideas.get(idea_id, tx.session)
        caller.require_staff_for(idea.hub_id)
        check_version(expected, idea.version)
        changed = change(idea)
        await ideas.save_if_version(changed, idea.version, tx.session)
        tx.publish(event(idea, changed), subject=idea.id, hub_id=idea.hub_id)
        return changed

    return await uow.run(work, idempotency=idempotency, result_type=Idea)

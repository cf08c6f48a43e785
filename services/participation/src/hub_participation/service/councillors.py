"""Ward councillors: their public comments on their hub's ideas, and their brief of the hub.

A councillor (role ``councillor``, their token's ``hubs`` the hubs they represent) is not hub staff:
a comment changes nothing of an idea's status, staff still answer it. The brief is composed from
this service's own data only (ideas, forum meetings and their actions), never by asking another.
"""

from __future__ import annotations

import uuid

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contracts.participation import IdeaCouncillorCommented
from hub_common.errors import Forbidden
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_participation.adapters.ideas import IdeaRepository
from hub_participation.adapters.meetings import MeetingRepository
from hub_participation.domain.brief import CouncillorBrief, compose_brief
from hub_participation.domain.idea import CouncillorComment, Idea
from hub_participation.service.hubs import HubService

BRIEF_IDEAS = 10  # ideas of each kind in a brief
BRIEF_MEETINGS = 5  # forum meetings to come
BRIEF_ACTION_MEETINGS = 20  # the latest meetings with actions still open whose actions are listed


class CouncillorService:
    def __init__(
        self,
        uow: UnitOfWork,
        ideas: IdeaRepository,
        meetings: MeetingRepository,
        hubs: HubService,
        *,
        clock: Clock,
    ) -> None:
        self.uow = uow
        self.ideas = ideas
        self.meetings = meetings
        self.hubs = hubs
        self.clock = clock

    async def comment(
        self, caller: Principal, idea_id: str, name: str, text: str, idempotency: IdempotentRequest | None = None
    ) -> Idea:
        """A councillor of the idea's hub comments on it in public, shown by ``name`` as a councillor's;
        the idea's followers hear it (``IdeaCouncillorCommented``)."""
        caller.require_role("councillor")
        now = self.clock()
        comment = CouncillorComment(id=f"cc-{uuid.uuid4().hex[:12]}", by=caller.sub, name=name, text=text, at=now)

        async def work(tx: Transaction) -> Idea:
            idea = await self.ideas.get(idea_id, tx.session)
            caller.require_councillor_for(idea.hub_id)
            commented = idea.commented_by_councillor(comment)
            await self.ideas.save_if_version(commented, idea.version, tx.session)
            tx.publish(
                IdeaCouncillorCommented(
                    idea_id=idea.id,
                    hub_id=idea.hub_id,
                    title=idea.wording.title,
                    comment_id=comment.id,
                    comment=text,
                    councillor_name=name,
                    councillor_id=caller.sub,
                    commented_at=now,
                ),
                subject=idea.id,
                hub_id=idea.hub_id,
            )
            return commented

        return await self.uow.run(work, idempotency=idempotency, result_type=Idea)

    async def brief(self, caller: Principal, hub_id: str) -> CouncillorBrief:
        """What a councillor of the hub (or its staff) reads first: ideas waiting for the hub's answer,
        the most supported ideas still open, the forums to come and the forum actions not yet done."""
        if not (caller.is_councillor_for(hub_id) or caller.is_staff_for(hub_id)):
            raise Forbidden(f"the brief of hub {hub_id!r} is for its councillors and staff")
        await self.hubs.get(hub_id)  # 404 for a hub not open for ideas
        now = self.clock()
        return compose_brief(
            hub_id,
            awaiting=await self.ideas.awaiting_response(hub_id, BRIEF_IDEAS),
            most_supported=await self.ideas.most_supported_gathering(hub_id, BRIEF_IDEAS),
            upcoming=await self.meetings.upcoming(hub_id, now, BRIEF_MEETINGS),
            with_open_actions=await self.meetings.with_open_actions(hub_id, BRIEF_ACTION_MEETINGS),
            now=now,
        )

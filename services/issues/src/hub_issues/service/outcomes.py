"""What residents asked for through the participation service and the hub did — forum actions
done, funded projects delivered, ideas taken forward and finished — held from its events for "You
Said, We Did" beside the fixed problems (``hub_issues.adapters.outcomes``)."""

from __future__ import annotations

from dataclasses import dataclass

from hub_common.contracts.participation import ActionProgressPublished, ForumActionCompleted, PbProjectDelivered
from hub_common.http import PageQuery
from hub_common.uow import Transaction
from hub_issues.adapters.outcomes import (
    ForumActionDone,
    ForumActionRepository,
    FundedProjectDone,
    FundedProjectRepository,
    IdeaDone,
    IdeaDoneRepository,
)


@dataclass(frozen=True)
class OutcomeService:
    forum_actions: ForumActionRepository
    funded_projects: FundedProjectRepository
    ideas: IdeaDoneRepository

    # Each record_* writes the whole document by its id: a replayed event writes the same again.

    async def record_forum_action(self, tx: Transaction, data: ForumActionCompleted) -> None:
        done = ForumActionDone(
            id=data.action_id,
            hub_id=data.hub_id,
            meeting_id=data.meeting_id,
            meeting_title=data.meeting_title,
            title=data.title,
            owner=data.owner,
            due_on=data.due_on,
            note=data.note,
            completed_at=data.completed_at,
        )
        await self.forum_actions.put(done, tx.session)

    async def record_funded_project(self, tx: Transaction, data: PbProjectDelivered) -> None:
        done = FundedProjectDone(
            id=data.proposal_id,
            hub_id=data.hub_id,
            round_id=data.round_id,
            round_title=data.round_title,
            title=data.title,
            cost=data.cost,
            votes=data.votes,
            note=data.note,
            delivered_at=data.delivered_at,
        )
        await self.funded_projects.put(done, tx.session)

    async def record_idea_progress(self, tx: Transaction, data: ActionProgressPublished) -> None:
        """Only the progress that finishes an accepted idea's action enters the log; earlier steps
        reach the idea's followers through notifications and stay on the idea's own page."""
        if not data.done:
            return
        done = IdeaDone(
            id=data.idea_id,
            hub_id=data.hub_id,
            title=data.title,
            support_count=data.support_count,
            note=data.note,
            done_at=data.published_at,
        )
        await self.ideas.put(done, tx.session)

    async def forum_actions_done(self, hub_id: str, paging: PageQuery) -> tuple[list[ForumActionDone], str | None]:
        return await self.forum_actions.latest_in_hub(hub_id, paging)

    async def projects_delivered(self, hub_id: str, paging: PageQuery) -> tuple[list[FundedProjectDone], str | None]:
        return await self.funded_projects.latest_in_hub(hub_id, paging)

    async def ideas_done(self, hub_id: str, paging: PageQuery) -> tuple[list[IdeaDone], str | None]:
        return await self.ideas.latest_in_hub(hub_id, paging)

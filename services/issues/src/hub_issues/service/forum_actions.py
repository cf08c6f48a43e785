"""Forum actions done, from the participation service's events: shown in "You Said, We Did" beside
the fixed problems (this service reads no other service's data, only its events)."""

from __future__ import annotations

from hub_common.contracts.participation import ForumActionCompleted
from hub_common.http import PageQuery
from hub_common.uow import Transaction
from hub_issues.adapters.forum_actions import ForumActionDone, ForumActionRepository


class ForumActionService:
    def __init__(self, actions: ForumActionRepository) -> None:
        self.actions = actions

    async def record_completed(self, tx: Transaction, data: ForumActionCompleted) -> None:
        """Hold the completed action (a replay writes the same document again: an action is done once)."""
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
        await self.actions.put(done, tx.session)

    async def done_in_hub(self, hub_id: str, paging: PageQuery) -> tuple[list[ForumActionDone], str | None]:
        return await self.actions.done_in_hub(hub_id, paging)

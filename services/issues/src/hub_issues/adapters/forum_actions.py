"""The ``forum_actions`` read model: actions agreed at the participation service's forum meetings and
done, from its ``hub.participation.forum_action.completed.v1`` events, for "You Said, We Did"."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from pymongo import DESCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository

FORUM_ACTIONS = "forum_actions"
DONE_SORT = [("completed_at", DESCENDING), ("_id", DESCENDING)]
INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        FORUM_ACTIONS,
        (IndexModel([("hub_id", 1), *DONE_SORT], name="hub_done"),),
    ),
)


class ForumActionDone(BaseModel):
    """A forum action as the log shows it: what residents raised at the meeting and what was done.
    Public: no person in it (the owner is a team or role)."""

    id: str  # the action id
    hub_id: str
    meeting_id: str
    meeting_title: str
    title: str
    owner: str
    due_on: date
    note: str
    completed_at: datetime


class ForumActionRepository(Repository[ForumActionDone]):
    collection_name = FORUM_ACTIONS
    model = ForumActionDone
    noun = "forum action"

    async def done_in_hub(self, hub_id: str, paging: PageQuery) -> tuple[list[ForumActionDone], str | None]:
        """A hub's completed forum actions, the latest done first."""
        return await self.page(
            {"hub_id": hub_id}, sort=DONE_SORT, limit=paging.limit, cursor=paging.cursor, hint="hub_done"
        )

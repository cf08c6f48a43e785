"""Read models of what residents asked for elsewhere and the hub did, from the participation
service's events, for "You Said, We Did" beside the fixed problems (this service reads no other
service's data, only its events):

- ``forum_actions``: actions agreed at forum meetings and done (``forum_action.completed``);
- ``funded_projects``: projects residents voted for in participatory budgeting and delivered
  (``pb_project.delivered``);
- ``ideas_done``: ideas residents proposed and supported whose action the hub finished
  (``action.progress_published`` with ``done``).

Each is one document per thing done, written whole (a replay writes the same document again) and
listed per hub, the latest first. All are public: no person in them (owners are teams or roles,
votes and support are counts).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, TypeVar

from pydantic import BaseModel
from pymongo import DESCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository


class ForumActionDone(BaseModel):
    """A forum action as the log shows it: what residents raised at the meeting and what was done."""

    id: str  # the action id
    hub_id: str
    meeting_id: str
    meeting_title: str
    title: str
    owner: str
    due_on: date
    note: str
    completed_at: datetime


class FundedProjectDone(BaseModel):
    """A delivered project: the round residents voted in, their votes, what was done."""

    id: str  # the proposal id
    hub_id: str
    round_id: str
    round_title: str
    title: str
    cost: int  # pence
    votes: int
    note: str
    delivered_at: datetime


class IdeaDone(BaseModel):
    """An idea the hub took forward and finished: the idea, its support, what was done."""

    id: str  # the idea id
    hub_id: str
    title: str
    support_count: int | None  # None when the event predates the count being sent
    note: str
    done_at: datetime


M = TypeVar("M", bound=BaseModel)


class OutcomeLog(Repository[M]):
    """A hub's log of one kind of thing done, the latest first (``done_field``, then id)."""

    done_field: ClassVar[str]
    index_name: ClassVar[str]

    @classmethod
    def sort(cls) -> list[tuple[str, int]]:
        return [(cls.done_field, DESCENDING), ("_id", DESCENDING)]

    @classmethod
    def index(cls) -> IndexSpec:
        return IndexSpec(cls.collection_name, (IndexModel([("hub_id", 1), *cls.sort()], name=cls.index_name),))

    async def latest_in_hub(self, hub_id: str, paging: PageQuery) -> tuple[list[M], str | None]:
        return await self.page(
            {"hub_id": hub_id}, sort=self.sort(), limit=paging.limit, cursor=paging.cursor, hint=self.index_name
        )


class ForumActionRepository(OutcomeLog[ForumActionDone]):
    collection_name = "forum_actions"
    model = ForumActionDone
    noun = "forum action"
    done_field = "completed_at"
    index_name = "hub_done"


class FundedProjectRepository(OutcomeLog[FundedProjectDone]):
    collection_name = "funded_projects"
    model = FundedProjectDone
    noun = "funded project"
    done_field = "delivered_at"
    index_name = "hub_delivered"


class IdeaDoneRepository(OutcomeLog[IdeaDone]):
    collection_name = "ideas_done"
    model = IdeaDone
    noun = "idea"
    done_field = "done_at"
    index_name = "hub_done"


INDEXES: tuple[IndexSpec, ...] = tuple(
    log.index() for log in (ForumActionRepository, FundedProjectRepository, IdeaDoneRepository)
)

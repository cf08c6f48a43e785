"""The ``funded_projects`` read model: projects residents voted for in the participation service's
participatory budgeting rounds and delivered, from its ``hub.participation.pb_project.delivered.v1``
events, for "You Said, We Did"."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pymongo import DESCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository

FUNDED_PROJECTS = "funded_projects"
DELIVERED_SORT = [("delivered_at", DESCENDING), ("_id", DESCENDING)]
INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(FUNDED_PROJECTS, (IndexModel([("hub_id", 1), *DELIVERED_SORT], name="hub_delivered"),)),
)


class FundedProjectDone(BaseModel):
    """A delivered project as the log shows it: the round residents voted in, their votes, what was
    done. Public: no person in it (ballots are counts)."""

    id: str  # the proposal id
    hub_id: str
    round_id: str
    round_title: str
    title: str
    cost: int  # pence
    votes: int
    note: str
    delivered_at: datetime


class FundedProjectRepository(Repository[FundedProjectDone]):
    collection_name = FUNDED_PROJECTS
    model = FundedProjectDone
    noun = "funded project"

    async def delivered_in_hub(self, hub_id: str, paging: PageQuery) -> tuple[list[FundedProjectDone], str | None]:
        """A hub's delivered projects, the latest first."""
        return await self.page(
            {"hub_id": hub_id}, sort=DELIVERED_SORT, limit=paging.limit, cursor=paging.cursor, hint="hub_delivered"
        )

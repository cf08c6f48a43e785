"""Participatory budgeting projects delivered, from the participation service's events: shown in "You
Said, We Did" beside the fixed problems and the forum actions (this service reads only events)."""

from __future__ import annotations

from hub_common.contracts.participation import PbProjectDelivered
from hub_common.http import PageQuery
from hub_common.uow import Transaction
from hub_issues.adapters.funded_projects import FundedProjectDone, FundedProjectRepository


class FundedProjectService:
    def __init__(self, projects: FundedProjectRepository) -> None:
        self.projects = projects

    async def record_delivered(self, tx: Transaction, data: PbProjectDelivered) -> None:
        """Hold the delivered project (a replay writes the same document again: delivered once)."""
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
        await self.projects.put(done, tx.session)

    async def delivered_in_hub(self, hub_id: str, paging: PageQuery) -> tuple[list[FundedProjectDone], str | None]:
        return await self.projects.delivered_in_hub(hub_id, paging)

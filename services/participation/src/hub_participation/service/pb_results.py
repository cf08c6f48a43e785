"""Closing a budgeting round: the ballots are counted (:func:`~hub_participation.domain.pb_count.count`),
the winners funded and the rest marked not funded, and the anonymous results stored on the round and
published (``pb_round.results_published``), in one unit of work. The hub's staff close a round, or
the worker does once its window has passed. A recount counts the stored ballots again and says
whether it matches what was published.
"""

from __future__ import annotations

from pydantic import BaseModel

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.participation import PbProjectResult, PbResultsPublished
from hub_common.errors import Conflict, Forbidden
from hub_common.repository import Session
from hub_common.uow import Transaction, UnitOfWork
from hub_participation.adapters.pb_ballots import BallotRepository
from hub_participation.adapters.pb_rounds import ProposalRepository, RoundRepository
from hub_participation.domain.pb_count import RoundResults, count
from hub_participation.domain.pb_proposal import ON_BALLOT
from hub_participation.domain.pb_round import Round
from hub_participation.service.closing import close_each


class Recount(BaseModel):
    matches: bool  # the recount gives the published results
    published: RoundResults
    recounted: RoundResults


class ResultsService:
    def __init__(
        self,
        uow: UnitOfWork,
        rounds: RoundRepository,
        proposals: ProposalRepository,
        ballots: BallotRepository,
        *,
        clock: Clock,
    ) -> None:
        self.uow = uow
        self.rounds = rounds
        self.proposals = proposals
        self.ballots = ballots
        self.clock = clock

    async def close(self, caller: Principal | None, round_id: str, expected: int | None = None) -> Round:
        """Close voting (staff, or the worker at the window's end: ``caller`` None) and publish the results."""
        now = self.clock()

        async def work(tx: Transaction) -> Round:
            current = await self.rounds.get(round_id, tx.session)
            if caller is not None:
                caller.require_staff_for(current.hub_id)
            check_version(expected, current.version)
            if current.phase != "voting":
                raise Conflict(f"the round is in {current.phase}: only voting closes")
            results = await self._count(current, tx.session)
            closed = current.closed(now, results)
            await self.rounds.save_if_version(closed, current.version, tx.session)
            outcome = {p.proposal_id: p for p in results.projects}
            for proposal in await self.proposals.all_in_round(round_id, tx.session):
                if proposal.status == "eligible":
                    project = outcome[proposal.id]
                    decided = proposal.decided(project.funded, project.votes)
                    await self.proposals.save_if_version(decided, proposal.version, tx.session)
            tx.publish(_published(closed, results), subject=closed.id, hub_id=closed.hub_id)
            return closed

        return await self.uow.run(work)

    async def close_due(self) -> int:
        """The worker's schedule: close every round whose voting window has passed."""
        due = await self.rounds.due_to_close(self.clock())
        return await close_each((r.id for r in due), lambda round_id: self.close(None, round_id))

    async def results(self, round_id: str) -> RoundResults:
        """Public once voting has closed (not before: early counts would steer later votes)."""
        found = await self.rounds.get(round_id)
        if found.results is None:
            raise Forbidden("the results are published when voting closes")
        return found.results

    async def recount(self, caller: Principal, round_id: str) -> Recount:
        """Count the stored ballots again (the hub's staff, once closed)."""
        found = await self.rounds.get(round_id)
        caller.require_staff_for(found.hub_id)
        if found.results is None:
            raise Conflict("the round has not closed: there is nothing to recount yet")
        recounted = await self._count(found, None)
        return Recount(matches=recounted == found.results, published=found.results, recounted=recounted)

    async def _count(self, budget_round: Round, session: Session) -> RoundResults:
        """The results from the stored ballots, over the proposals that were on the ballot (eligible at
        closing; funded or not afterwards)."""
        proposals = await self.proposals.all_in_round(budget_round.id, session)
        candidates = [p.candidate() for p in proposals if p.status in ON_BALLOT]
        ballots = await self.ballots.of_round(budget_round.id, session)
        return count(budget_round.id, budget_round.method, budget_round.budget, candidates, ballots)


def _published(closed: Round, results: RoundResults) -> PbResultsPublished:
    assert closed.closed_at is not None
    return PbResultsPublished(
        round_id=closed.id,
        hub_id=closed.hub_id,
        title=closed.title,
        method=closed.method,
        budget=results.budget,
        ballots=results.ballots,
        funded_total=results.funded_total,
        projects=[PbProjectResult(**p.model_dump()) for p in results.projects],
        closed_at=closed.closed_at,
    )

"""Funded projects of a budgeting round, tracked as actions: staff publish progress until one update
says it is delivered, which the issues service shows in "You Said, We Did" (by the event)."""

from __future__ import annotations

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contracts import EventData
from hub_common.contracts.participation import PbProjectDelivered, PbProjectProgressPublished
from hub_common.uow import IdempotentRequest, UnitOfWork
from hub_participation.adapters.pb_rounds import ProposalRepository, RoundRepository
from hub_participation.domain.pb_proposal import Proposal
from hub_participation.service.staff_changes import change_as_staff


class ProjectService:
    def __init__(
        self, uow: UnitOfWork, rounds: RoundRepository, proposals: ProposalRepository, *, clock: Clock
    ) -> None:
        self.uow = uow
        self.rounds = rounds
        self.proposals = proposals
        self.clock = clock

    async def progress(
        self,
        caller: Principal,
        proposal_id: str,
        note: str,
        done: bool,
        expected: int | None = None,
        idempotency: IdempotentRequest | None = None,
    ) -> Proposal:
        now = self.clock()
        round_title = (await self.rounds.get((await self.proposals.get(proposal_id)).round_id)).title

        def published(_before: Proposal, after: Proposal) -> list[EventData]:
            events: list[EventData] = [
                PbProjectProgressPublished(
                    round_id=after.round_id,
                    hub_id=after.hub_id,
                    proposal_id=after.id,
                    title=after.title,
                    note=note,
                    done=done,
                    published_by=caller.sub,
                    published_at=now,
                )
            ]
            if after.delivered_at is not None:
                assert after.final_cost is not None
                events.append(
                    PbProjectDelivered(
                        round_id=after.round_id,
                        hub_id=after.hub_id,
                        proposal_id=after.id,
                        round_title=round_title,
                        title=after.title,
                        cost=after.final_cost,
                        votes=after.votes or 0,
                        note=note,
                        delivered_at=after.delivered_at,
                    )
                )
            return events

        return await change_as_staff(
            self.uow,
            self.proposals,
            caller,
            proposal_id,
            lambda p: p.progressed(note, done, by=caller.sub, at=now),
            published,
            expected=expected,
            idempotency=idempotency,
            subject=lambda p: p.round_id,
        )

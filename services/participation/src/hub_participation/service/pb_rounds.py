"""Participatory budgeting rounds: the hub's staff create one with a budget and a voting method, edit
it, and move it on phase by phase (proposals, review, voting); anyone reads a round once it is out
of draft. Closing and the results are :mod:`~hub_participation.service.pb_results`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.participation import PbProposalsOpened, PbVotingOpened
from hub_common.errors import Forbidden, NotFound, RuleViolation
from hub_common.http import PageQuery
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_participation.adapters.pb_rounds import ProposalRepository, RoundRepository
from hub_participation.domain.pb_round import Phase, Round, VotingMethod
from hub_participation.service.staff_changes import change_as_staff


class RoundDraft(BaseModel):
    hub_id: str
    title: str
    description: str
    budget: int
    method: VotingMethod
    max_approvals: int | None = None
    proposals_close_at: datetime | None = None
    voting_opens_at: datetime | None = None
    voting_closes_at: datetime | None = None


class RoundService:
    def __init__(
        self, uow: UnitOfWork, rounds: RoundRepository, proposals: ProposalRepository, *, clock: Clock
    ) -> None:
        self.uow = uow
        self.rounds = rounds
        self.proposals = proposals
        self.clock = clock

    async def create(
        self,
        caller: Principal,
        draft: RoundDraft,
        idempotency: IdempotentRequest | None = None,
        round_id: str | None = None,  # the demo data's known ids
    ) -> Round:
        caller.require_staff_for(draft.hub_id)
        try:
            budget_round = Round(
                id=round_id or f"pb-{uuid.uuid4().hex[:12]}",
                created_by=caller.sub,
                created_at=self.clock(),
                **draft.model_dump(),
            )
        except ValueError as error:
            raise RuleViolation(str(error)) from None

        async def work(tx: Transaction) -> Round:
            await self.rounds.add(budget_round, tx.session)
            return budget_round

        return await self.uow.run(work, idempotency=idempotency, result_type=Round)

    async def edit(self, caller: Principal, round_id: str, changes: dict[str, Any], expected: int | None) -> Round:
        return await change_as_staff(
            self.uow,
            self.rounds,
            caller,
            round_id,
            lambda r: r.edited(**changes),
            lambda _b, _a: None,
            expected=expected,
        )

    async def advance(self, caller: Principal, round_id: str, to: Phase, expected: int | None) -> Round:
        """The next phase: proposals (residents submit), review, voting (the ballot opens)."""
        now = self.clock()

        async def work(tx: Transaction) -> Round:
            current = await self.rounds.get(round_id, tx.session)
            caller.require_staff_for(current.hub_id)
            check_version(expected, current.version)
            proposals = await self.proposals.all_in_round(round_id, tx.session) if to == "voting" else []
            eligible = sum(p.status == "eligible" for p in proposals)
            unreviewed = sum(p.status == "submitted" for p in proposals)
            moved = current.advanced(to, now, eligible=eligible, unreviewed=unreviewed)
            await self.rounds.save_if_version(moved, current.version, tx.session)
            if to == "proposals":
                tx.publish(_proposals_opened(moved, now), subject=moved.id, hub_id=moved.hub_id)
            elif to == "voting":
                tx.publish(_voting_opened(moved, eligible), subject=moved.id, hub_id=moved.hub_id)
            return moved

        return await self.uow.run(work)

    async def get(self, caller: Principal | None, round_id: str) -> Round:
        """Anyone reads a round out of draft; a draft only its hub's staff."""
        found = await self.rounds.get(round_id)
        if found.phase == "draft" and not (caller is not None and caller.is_staff_for(found.hub_id)):
            raise NotFound(f"there is no budgeting round {round_id!r}")
        return found

    async def in_hub(
        self, caller: Principal | None, hub_id: str, phase: Phase | None, paging: PageQuery
    ) -> tuple[list[Round], str | None]:
        staff = caller is not None and caller.is_staff_for(hub_id)
        if phase == "draft" and not staff:
            raise Forbidden("only the hub's staff see its draft rounds")
        return await self.rounds.in_hub(hub_id, phase, paging, drafts=staff)


def _proposals_opened(opened: Round, now: datetime) -> PbProposalsOpened:
    return PbProposalsOpened(
        round_id=opened.id,
        hub_id=opened.hub_id,
        title=opened.title,
        budget=opened.budget,
        method=opened.method,
        proposals_close_at=opened.proposals_close_at,
        opened_at=now,
    )


def _voting_opened(opened: Round, projects: int) -> PbVotingOpened:
    assert opened.voting_opens_at is not None and opened.voting_closes_at is not None
    return PbVotingOpened(
        round_id=opened.id,
        hub_id=opened.hub_id,
        title=opened.title,
        budget=opened.budget,
        method=opened.method,
        max_approvals=opened.max_approvals,
        projects=projects,
        opens_at=opened.voting_opens_at,
        closes_at=opened.voting_closes_at,
    )

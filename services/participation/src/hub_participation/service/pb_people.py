"""What participatory budgeting holds about a person, for erasure and subject access: the proposals
they submitted (their opaque id on each) and their ballots (found by the keyed hash of their id in
each round, since nothing stored names them).

Erasure unlinks their proposals (the proposal stays, anonymous) and their ballots: in a round still
voting the ballot is withdrawn (they may vote again, counted once: kept under an anonymous id, it
would be counted beside a new one); in any other round it stays counted under an id that names no
one, so the published results and a recount still agree.
"""

from __future__ import annotations

from typing import Any

from hub_common.contracts.privacy import HeldData
from hub_common.privacy import held
from hub_common.uow import Transaction
from hub_participation.adapters.pb_ballots import BallotRepository
from hub_participation.adapters.pb_rounds import ProposalRepository, RoundRepository
from hub_participation.domain.pb_count import voter_key


class PbPeople:
    def __init__(
        self, rounds: RoundRepository, proposals: ProposalRepository, ballots: BallotRepository, *, ballot_key: bytes
    ) -> None:
        self.rounds = rounds
        self.proposals = proposals
        self.ballots = ballots
        self.key = ballot_key

    async def erase(self, person_ids: list[str], tx: Transaction) -> tuple[list[HeldData], set[str]]:
        """Unlink them; answers the receipt lines and the ids that proposed (whose contact details
        notifications may hold from here)."""
        proposed = await self.proposals.by_people(person_ids, tx.session)
        for proposal in proposed:
            forgotten = proposal
            for person_id in person_ids:
                forgotten = forgotten.forgetting(person_id)
            await self.proposals.save_if_version(forgotten, proposal.version, tx.session)
        withdrawn = kept = 0
        for ballot in await self._ballots_of(person_ids, tx):
            budget_round = await self.rounds.get(ballot["round_id"], tx.session)
            if budget_round.phase == "voting":
                await self.ballots.withdraw(ballot["_id"], tx.session)
                await self.rounds.save_if_version(budget_round.without_ballot(), budget_round.version, tx.session)
                withdrawn += 1
            else:
                await self.ballots.unlink(ballot, tx.session)
                kept += 1
        lines = [
            *held("budgeting proposals", len(proposed), "unlinked from you; the proposal stays, anonymous"),
            *held("budgeting ballots counted", kept, "unlinked from you; the vote stays in the results, anonymous"),
            *held("budgeting ballots withdrawn", withdrawn, "deleted: voting is still open, and you may vote again"),
        ]
        return lines, {p.proposer_id for p in proposed if p.proposer_id}

    async def export(self, person_ids: list[str], tx: Transaction) -> tuple[list[HeldData], dict[str, Any]]:
        proposed = await self.proposals.by_people(person_ids, tx.session)
        ballots = await self._ballots_of(person_ids, tx)
        export = {
            "budgeting_proposals": [
                {
                    "id": p.id,
                    "round_id": p.round_id,
                    "title": p.title,
                    "description": p.description,
                    "estimated_cost": p.estimated_cost,
                    "status": p.status,
                    "submitted_at": p.submitted_at.isoformat(),
                }
                for p in proposed
            ],
            "budgeting_ballots": [{"round_id": b["round_id"], "choices": b["choices"]} for b in ballots],
        }
        lines = [
            *held("budgeting proposals", len(proposed), "exported"),
            *held("budgeting ballots", len(ballots), "exported"),
        ]
        return lines, export

    async def _ballots_of(self, person_ids: list[str], tx: Transaction) -> list[dict[str, Any]]:
        """Their ballots: the keyed ids they would have in every round (a hub runs a round or two a
        year, so every round is few), looked up at once."""
        round_ids = await self.rounds.all_ids(tx.session)
        keys = [voter_key(self.key, round_id, person_id) for round_id in round_ids for person_id in person_ids]
        return await self.ballots.with_ids(keys, tx.session) if keys else []

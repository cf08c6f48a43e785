"""Ballots: during a round's voting window each signed-in resident casts one ballot, and may replace it
until the window closes; after that no vote changes.

A ballot is stored under the round and a keyed hash of the voter (``HUB_PB_BALLOT_KEY``), with the
choices only: one per person and round by its id (50 submissions of one person at once leave one
ballot, the last to commit), countable again at any time, and whose it is can be told only by
someone holding both the key and the person's id: the voter, asking for their own.

Only a resident who proved an email address votes through the API (their sub is the keyed hash
of the address, ``hub_common.residents``): a browser's pseudonymous resident (``web-<uuid>``) is a
new person whenever cookies are cleared, so one ballot per *its* id is not one per person. The sub
prefix is enough to tell them apart because only the platform's own issuer clients mint resident
tokens, and none makes up such a sub (see ``hub_common.residents``); a token minted for an emailed
link is not needed on every call, which would not survive the web app's own short-lived tokens.
A partner's ballot (``cast_in`` from ``hub.participation.inbound``) is the partner's person,
whom the partner vouches for; it is not asked.
"""

from __future__ import annotations

from pydantic import BaseModel

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.errors import NotFound, RuleViolation
from hub_common.residents import require_email_resident
from hub_common.uow import Transaction, UnitOfWork
from hub_participation.adapters.pb_ballots import BallotRepository
from hub_participation.adapters.pb_rounds import ProposalRepository, RoundRepository
from hub_participation.domain.pb_count import check_ballot, voter_key


class Cast(BaseModel):
    round_id: str
    choices: tuple[str, ...]
    first: bool  # False: it replaced the voter's earlier ballot
    ballots: int  # how many have voted in the round


class BallotService:
    def __init__(
        self,
        uow: UnitOfWork,
        rounds: RoundRepository,
        proposals: ProposalRepository,
        ballots: BallotRepository,
        *,
        key: bytes,
        clock: Clock,
    ) -> None:
        self.uow = uow
        self.rounds = rounds
        self.proposals = proposals
        self.ballots = ballots
        self.key = key
        self.clock = clock

    async def cast(self, caller: Principal, round_id: str, choices: list[str]) -> Cast:
        require_email_resident(caller, "vote", "one ballot")
        return await self.uow.run(lambda tx: self.cast_in(tx, caller.sub, round_id, choices))

    async def cast_in(
        self, tx: Transaction, voter_id: str, round_id: str, choices: list[str], *, hub_id: str | None = None
    ) -> Cast:
        """The voter's ballot, in ``tx``: a resident's through the API, or a partner's person's from
        ``hub.participation.inbound`` (``hub_id``: the hub the partner named, which the round must be in)."""
        budget_round = await self.rounds.get(round_id, tx.session)
        if hub_id is not None and budget_round.hub_id != hub_id:
            raise RuleViolation(f"round {round_id} is not in hub {hub_id}")
        budget_round.check_voting_open(self.clock())
        candidates = [
            p.candidate() for p in await self.proposals.all_in_round(round_id, tx.session) if p.status == "eligible"
        ]
        method, budget, max_approvals = budget_round.method, budget_round.budget, budget_round.max_approvals
        checked = check_ballot(method, budget, max_approvals, candidates, choices)
        first = await self.ballots.cast(voter_key(self.key, round_id, voter_id), round_id, checked, tx.session)
        counted = budget_round.voted(first)
        # Written even for a replaced ballot: closing the round (which counts the ballots and
        # writes the round) then conflicts with this vote instead of missing it.
        await self.rounds.save_if_version(counted, budget_round.version, tx.session)
        return Cast(round_id=round_id, choices=checked, first=first, ballots=counted.ballots)

    async def mine(self, caller: Principal, round_id: str) -> tuple[str, ...]:
        """The caller's own ballot (404 if they have not voted)."""
        choices = await self.ballots.choices(voter_key(self.key, round_id, caller.sub))
        if choices is None:
            raise NotFound("you have not voted in this round")
        return choices

"""Ballots of a participatory budgeting round, checked and counted (pure rules).

Two voting methods:

- ``allocation``: a resident picks the projects they want, whose costs together fit the budget;
- ``approval``: a resident approves any number of projects (at most ``max_approvals``, if set).

The count is the same for both: a project's votes are the ballots that chose it. Winners are then
chosen greedily: projects in order of votes, and each one funded if its cost fits what is left of
the budget (one that does not fit is passed over, and cheaper ones below it may still be funded). A
project nobody chose is not funded. Ties are broken deterministically, so a recount gives the same
result: more votes first; then the cheaper project (more of the budget left for others); then the
one submitted first; then the proposal id.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from hub_common.errors import RuleViolation

MAX_CHOICES = 100


class Candidate(BaseModel):
    """An eligible proposal as the ballot and the count see it."""

    model_config = ConfigDict(frozen=True)

    proposal_id: str
    title: str
    cost: int  # its final cost, in pence
    submitted_at: datetime


class ProjectResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    proposal_id: str
    title: str
    cost: int
    votes: int
    funded: bool


class RoundResults(BaseModel):
    """What the ballots add up to: anonymous counts only (ranked as the winners were chosen)."""

    model_config = ConfigDict(frozen=True)

    round_id: str
    method: str
    budget: int
    ballots: int
    funded_total: int
    projects: tuple[ProjectResult, ...]


class Ballot(BaseModel):
    """One voter's ballot as stored: its id is the round and a keyed hash of the voter (or, once they
    are erased, an id naming no one), and it holds the choices only."""

    model_config = ConfigDict(frozen=True)

    id: str
    round_id: str
    choices: tuple[str, ...]


def voter_key(secret: bytes, round_id: str, person_id: str) -> str:
    """The ballot's id for this voter in this round: one per person and round, and no one can tell
    whose it is from the stored ballots (or link one voter's ballots across rounds) without the key."""
    digest = hmac.new(secret, f"{round_id}\x00{person_id}".encode(), hashlib.sha256).hexdigest()
    return f"{round_id}:{digest}"


def check_ballot(
    method: str, budget: int, max_approvals: int | None, candidates: Sequence[Candidate], choices: Sequence[str]
) -> tuple[str, ...]:
    """The choices as stored (sorted, so a ballot says nothing of the order it was filled in), or a
    RuleViolation saying what is wrong: nothing chosen, a project twice, one not on the ballot, more
    approvals than allowed, or (allocation) more than the budget."""
    if not choices:
        raise RuleViolation("choose at least one project")
    if len(set(choices)) != len(choices):
        raise RuleViolation("choose each project once")
    costs = {c.proposal_id: c.cost for c in candidates}
    unknown = sorted(set(choices) - set(costs))
    if unknown:
        raise RuleViolation(f"not on this round's ballot: {', '.join(unknown)}")
    if method == "approval" and max_approvals is not None and len(choices) > max_approvals:
        raise RuleViolation(f"approve at most {max_approvals} projects")
    if method == "allocation":
        spent = sum(costs[c] for c in choices)
        if spent > budget:
            raise RuleViolation(f"your choices cost {spent} pence, more than the budget of {budget}")
    return tuple(sorted(choices))


def ranked(candidates: Iterable[Candidate], votes: Counter[str]) -> list[Candidate]:
    """Candidates in the order winners are chosen (see the module's tie break)."""
    return sorted(candidates, key=lambda c: (-votes[c.proposal_id], c.cost, c.submitted_at, c.proposal_id))


def count(
    round_id: str, method: str, budget: int, candidates: Sequence[Candidate], ballots: Sequence[Sequence[str]]
) -> RoundResults:
    on_ballot = {c.proposal_id for c in candidates}
    votes: Counter[str] = Counter(choice for ballot in ballots for choice in set(ballot) if choice in on_ballot)
    left, projects = budget, []
    for candidate in ranked(candidates, votes):
        funded = votes[candidate.proposal_id] > 0 and candidate.cost <= left
        if funded:
            left -= candidate.cost
        projects.append(
            ProjectResult(
                proposal_id=candidate.proposal_id,
                title=candidate.title,
                cost=candidate.cost,
                votes=votes[candidate.proposal_id],
                funded=funded,
            )
        )
    return RoundResults(
        round_id=round_id,
        method=method,
        budget=budget,
        ballots=len(ballots),
        funded_total=budget - left,
        projects=tuple(projects),
    )

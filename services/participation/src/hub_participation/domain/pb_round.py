"""A participatory budgeting round: a hub puts a budget to its residents.

    draft ──▶ proposals ──▶ review ──▶ voting ──▶ closed

In ``proposals`` residents submit costed proposals (until ``proposals_close_at``, if set); staff
review each (eligible with a final cost, or ineligible with a public reason) in ``proposals`` or
``review``; ``voting`` opens the ballot of eligible proposals between ``voting_opens_at`` and
``voting_closes_at``; ``closed`` carries the results. Each step goes to the next phase only, named
by the caller (so a repeated click is a 409, not a second step). The budget, the voting method and
the window change only before voting: a ballot cast under one set of rules is not comparable with
another's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from hub_common.errors import Conflict, RuleViolation
from hub_participation.domain.pb_count import RoundResults

Phase = Literal["draft", "proposals", "review", "voting", "closed"]
PHASES: tuple[Phase, ...] = ("draft", "proposals", "review", "voting", "closed")
VotingMethod = Literal["allocation", "approval"]
# Changed only before voting opens (the rules every ballot is cast under).
BALLOT_RULES = frozenset({"budget", "method", "max_approvals", "voting_opens_at", "voting_closes_at"})


class Round(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    hub_id: str
    title: str
    description: str
    budget: int  # pence
    method: VotingMethod
    max_approvals: int | None = None  # approval voting: the most projects one ballot may approve
    phase: Phase = "draft"
    proposals_close_at: datetime | None = None
    voting_opens_at: datetime | None = None
    voting_closes_at: datetime | None = None
    created_by: str | None = None
    created_at: datetime
    closed_at: datetime | None = None
    ballots: int = 0  # how many people voted (a replaced ballot counts once)
    results: RoundResults | None = None
    version: int = 1

    @model_validator(mode="after")
    def _consistent(self) -> Round:
        if self.budget < 1:
            raise ValueError("the budget is a whole number of pence above zero")
        if self.max_approvals is not None and (self.method != "approval" or self.max_approvals < 1):
            raise ValueError("max_approvals is for approval voting, and at least 1")
        if self.voting_opens_at and self.voting_closes_at and self.voting_closes_at <= self.voting_opens_at:
            raise ValueError("voting must close after it opens")
        return self

    def edited(self, **changes: Any) -> Round:
        if self.phase == "closed":
            raise Conflict("the round is closed")
        if self.phase == "voting" and BALLOT_RULES & set(changes):
            raise Conflict("voting has opened: the budget, the method and the window can no longer change")
        if changes.get("method") == "allocation" and "max_approvals" not in changes:
            changes["max_approvals"] = None
        try:
            return self._next(**changes)
        except ValueError as error:
            raise RuleViolation(str(error)) from None

    def advanced(self, to: Phase, now: datetime, *, eligible: int = 0, unreviewed: int = 0) -> Round:
        """The next phase (``closed`` is :meth:`closed`, which carries the results)."""
        following = PHASES[PHASES.index(self.phase) + 1] if self.phase != "closed" else None
        if to != following or to == "closed":
            raise Conflict(f"the round is in {self.phase}: it cannot move to {to}")
        if to != "voting":
            return self._next(phase=to)
        if unreviewed:
            raise Conflict(f"{unreviewed} proposal(s) still wait for review")
        if not eligible:
            raise Conflict("no eligible proposal: there is nothing to vote on")
        opens_at = self.voting_opens_at or now
        if self.voting_closes_at is None or self.voting_closes_at <= max(now, opens_at):
            raise RuleViolation("set voting_closes_at, in the future, before voting opens")
        return self._next(phase="voting", voting_opens_at=opens_at)

    def closed(self, now: datetime, results: RoundResults) -> Round:
        if self.phase != "voting":
            raise Conflict(f"the round is in {self.phase}: only voting closes")
        return self._next(phase="closed", closed_at=now, results=results)

    def check_proposals_open(self, now: datetime) -> None:
        if self.phase != "proposals" or (self.proposals_close_at is not None and now >= self.proposals_close_at):
            raise Conflict("the round does not take proposals now")

    def check_reviewable(self) -> None:
        if self.phase not in ("proposals", "review"):
            raise Conflict(f"the round is in {self.phase}: proposals are reviewed before voting")

    def check_voting_open(self, now: datetime) -> None:
        """Ballots are taken (and replaced) only inside the window: after it, no vote changes."""
        opens, closes = self.voting_opens_at, self.voting_closes_at
        if self.phase != "voting" or opens is None or closes is None or not opens <= now < closes:
            raise Conflict("voting is not open in this round")

    def voted(self, first: bool) -> Round:
        return self._next(ballots=self.ballots + 1) if first else self

    def without_ballot(self) -> Round:
        """One voter's ballot withdrawn (their erasure while voting is open)."""
        return self._next(ballots=max(0, self.ballots - 1))

    def _next(self, **changes: Any) -> Round:
        data = {**self.model_dump(), **changes, "version": self.version + 1}
        return Round.model_validate(data)

"""A proposal to a participatory budgeting round, and, if it wins, the funded project it becomes.

    submitted ──review──▶ eligible ──results──▶ funded ──progress(done)──▶ delivered
              └─────────▶ ineligible            └──────▶ not_funded

Staff review a proposal before voting: eligible with a final cost (which may differ from the
proposer's estimate), or ineligible with a public reason; they may review it again until voting
opens. When the round closes, the winners are funded and take progress updates until one says the
project is delivered ("You Said, We Did"). The proposer is an opaque id, never shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from hub_common.errors import Conflict, RuleViolation
from hub_participation.domain.pb_count import Candidate

ProposalStatus = Literal["submitted", "eligible", "ineligible", "funded", "not_funded", "delivered"]
REVIEWABLE = frozenset({"submitted", "eligible", "ineligible"})
ON_BALLOT = frozenset({"eligible", "funded", "not_funded", "delivered"})  # eligible when voting opened


class ProjectUpdate(BaseModel):
    """Staff's public note on a funded project's progress."""

    model_config = ConfigDict(frozen=True)

    note: str
    done: bool
    by: str | None
    at: datetime


class Proposal(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    round_id: str
    hub_id: str
    title: str
    description: str
    estimated_cost: int  # pence, the proposer's estimate
    proposer_id: str | None  # None once they are erased
    submitted_at: datetime
    status: ProposalStatus = "submitted"
    final_cost: int | None = None  # pence, set by staff when eligible
    review_reason: str | None = None  # public: why it is ineligible, or a note on the cost
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    votes: int | None = None  # once the round has closed
    updates: tuple[ProjectUpdate, ...] = ()
    delivered_at: datetime | None = None
    version: int = 1

    def reviewed(
        self, eligible: bool, final_cost: int | None, reason: str | None, *, by: str, at: datetime
    ) -> Proposal:
        if self.status not in REVIEWABLE:
            raise Conflict(f"the proposal is {self.status}: it can no longer be reviewed")
        if eligible:
            return self._next(
                status="eligible",
                final_cost=final_cost if final_cost is not None else self.estimated_cost,
                review_reason=reason,
                reviewed_by=by,
                reviewed_at=at,
            )
        if not reason:
            raise RuleViolation("say why the proposal is ineligible: the reason is public")
        return self._next(status="ineligible", final_cost=None, review_reason=reason, reviewed_by=by, reviewed_at=at)

    def decided(self, funded: bool, votes: int) -> Proposal:
        if self.status != "eligible":
            raise Conflict(f"the proposal is {self.status}, not on the ballot")
        return self._next(status="funded" if funded else "not_funded", votes=votes)

    def progressed(self, note: str, done: bool, *, by: str, at: datetime) -> Proposal:
        if self.status != "funded":
            raise Conflict(
                "the project is delivered already"
                if self.status == "delivered"
                else "only a funded project has progress"
            )
        update = ProjectUpdate(note=note, done=done, by=by, at=at)
        changes: dict[str, Any] = {"updates": (*self.updates, update)}
        if done:
            changes |= {"status": "delivered", "delivered_at": at}
        return self._next(**changes)

    def candidate(self) -> Candidate:
        assert self.final_cost is not None, "only an eligible proposal is on the ballot"
        return Candidate(proposal_id=self.id, title=self.title, cost=self.final_cost, submitted_at=self.submitted_at)

    def forgetting(self, person_id: str) -> Proposal:
        return self._next(proposer_id=None) if self.proposer_id == person_id else self

    def _next(self, **changes: Any) -> Proposal:
        return self.model_copy(update={**changes, "version": self.version + 1})

"""The idea aggregate: a resident's proposal for their hub, the support it gathers and the hub's answer.

An idea is ``open`` for support until it gathers its threshold (``for_response``: the hub owes it
an answer); staff answer ``accepted`` (it becomes an action with progress updates) or
``not_taken_forward``, with a public reason. Moderation is beside the status: anyone signed in may
flag an idea, and staff may hide it with a public reason (it then takes no more support). A ward
councillor of the idea's hub may comment on it in public, shown by their name as a councillor's;
a comment is beside the status (staff still answer). Every
change returns a new :class:`Idea` with its next ``version``; the service layer stores it and raises
the events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from hub_common.contracts.common import GeoPoint
from hub_common.contracts.participation import IdeaOutcome
from hub_common.errors import Conflict, Forbidden

IdeaStatus = Literal["open", "for_response", "accepted", "not_taken_forward"]
ANSWERED: frozenset[str] = frozenset({"accepted", "not_taken_forward"})
ANONYMOUS_NAME = "a resident"  # how an idea's proposer is shown without a display name of their own
COUNCILLOR_LABEL = "Councillor"  # what a councillor's public comment is labelled with
ERASED_COUNCILLOR = "a councillor"  # how a comment is shown once its councillor asked to be forgotten


class Wording(BaseModel):
    """What an idea says (the part its proposer writes and may edit)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    description: str
    category: str | None = None
    location: GeoPoint | None = None


class Edit(BaseModel):
    """The wording an edit replaced, kept in public so supporters see what changed since they backed it."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    before: Wording


class Response(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: IdeaOutcome
    text: str
    by: str | None
    at: datetime


class Progress(BaseModel):
    model_config = ConfigDict(frozen=True)

    note: str
    done: bool
    by: str | None
    at: datetime


class Hiding(BaseModel):
    model_config = ConfigDict(frozen=True)

    reason: str
    by: str | None
    at: datetime


class Flag(BaseModel):
    """Someone signed in thinks the idea breaks the rules (kept for the hub's moderators, never public)."""

    model_config = ConfigDict(frozen=True)

    by: str | None
    reason: str
    at: datetime


class CouncillorComment(BaseModel):
    """A ward councillor's public comment, in their office: shown by the name they sign it with."""

    model_config = ConfigDict(frozen=True)

    id: str
    by: str | None  # the councillor's opaque account id; None once they are erased
    name: str | None  # the public name they comment as; None once they are erased
    text: str
    at: datetime

    @property
    def shown_as(self) -> str:
        return self.name or ERASED_COUNCILLOR


class Idea(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    hub_id: str
    wording: Wording
    proposer_id: str | None  # opaque; None once the proposer is erased
    display_name: str | None = None  # the name the proposer chose to be shown by (None: "a resident")
    status: IdeaStatus = "open"
    support_threshold: int  # the hub's threshold when the idea was proposed: what its proposer was told
    support_count: int = 0  # kept when a supporter is erased: the count is anonymous
    supporters: list[str] = []
    followers: list[str] = []
    flags: list[Flag] = []
    edits: list[Edit] = []
    threshold_reached_at: datetime | None = None
    response: Response | None = None
    progress: list[Progress] = []
    councillor_comments: list[CouncillorComment] = []
    hidden: Hiding | None = None
    proposed_at: datetime
    updated_at: datetime
    version: int = 1

    @staticmethod
    def new(
        idea_id: str,
        hub_id: str,
        wording: Wording,
        *,
        proposer_id: str,
        display_name: str | None,
        support_threshold: int,
        at: datetime,
    ) -> Idea:
        return Idea(
            id=idea_id,
            hub_id=hub_id,
            wording=wording,
            proposer_id=proposer_id,
            display_name=display_name,
            support_threshold=support_threshold,
            followers=[proposer_id],  # the proposer hears what becomes of their idea
            proposed_at=at,
            updated_at=at,
        )

    @property
    def proposed_by(self) -> str:
        return self.display_name or ANONYMOUS_NAME

    @property
    def takes_support(self) -> bool:
        """Open or waiting for its answer, and not hidden: the ideas residents can still back."""
        return self.hidden is None and self.status not in ANSWERED

    def _changed(self, at: datetime, **update: Any) -> Idea:
        return self.model_copy(update={**update, "updated_at": at, "version": self.version + 1})

    def _require_supportable(self, doing: str) -> None:
        if self.hidden is not None:
            raise Conflict(f"idea {self.id} was hidden by the hub's moderators ({self.hidden.reason}); {doing}")
        if self.status in ANSWERED:
            raise Conflict(f"idea {self.id} has had its answer from the hub; {doing}")

    # -- support and following -----------------------------------------------------------------

    def supported_by(self, person_id: str, at: datetime) -> tuple[Idea, bool] | None:
        """The idea with this person's support, and whether it just reached its threshold; None when
        their support is counted already (one per person)."""
        if person_id in self.supporters:
            return None
        self._require_supportable("it takes no more support")
        if person_id == self.proposer_id:
            raise Conflict("you proposed this idea: its support comes from other residents")
        count = self.support_count + 1
        reached = self.status == "open" and count >= self.support_threshold
        changes: dict[str, Any] = {"supporters": [*self.supporters, person_id], "support_count": count}
        if reached:
            changes |= {"status": "for_response", "threshold_reached_at": at}
        return self._changed(at, **changes), reached

    def followed_by(self, person_id: str, at: datetime) -> Idea | None:
        """The idea with one more follower; None when they follow it already. Following changes
        nothing a reader of the idea sees, so the version (ETag) stays."""
        if person_id in self.followers:
            return None
        if self.hidden is not None:
            raise Conflict(f"idea {self.id} was hidden by the hub's moderators; it has no updates to follow")
        return self.model_copy(update={"followers": [*self.followers, person_id]})

    # -- the proposer's edits --------------------------------------------------------------------

    def edited(self, person_id: str, wording: Wording, at: datetime) -> Idea | None:
        """The proposer's new wording, the old one kept in the edit history; None when nothing changed."""
        if person_id != self.proposer_id:
            raise Forbidden("only the resident who proposed this idea can edit it")
        self._require_supportable("it can no longer be edited")
        if wording == self.wording:
            return None
        return self._changed(at, wording=wording, edits=[*self.edits, Edit(at=at, before=self.wording)])

    # -- the hub's answer --------------------------------------------------------------------------

    def responded(self, outcome: IdeaOutcome, text: str, *, by: str, at: datetime) -> Idea:
        """Staff's public answer. They may answer before the threshold too: a good idea need not wait."""
        if self.hidden is not None:
            raise Conflict(f"idea {self.id} was hidden by the hub's moderators; it is not answered")
        if self.response is not None:
            raise Conflict(f"idea {self.id} was answered already ({self.response.outcome.replace('_', ' ')})")
        return self._changed(at, status=outcome, response=Response(outcome=outcome, text=text, by=by, at=at))

    def with_progress(self, note: str, done: bool, *, by: str, at: datetime) -> Idea:
        """A public progress update on an accepted idea's action."""
        if self.status != "accepted":
            raise Conflict(f"idea {self.id} is not an accepted idea: only actions have progress updates")
        if self.progress and self.progress[-1].done:
            raise Conflict(f"the action of idea {self.id} is done already")
        return self._changed(at, progress=[*self.progress, Progress(note=note, done=done, by=by, at=at)])

    # -- ward councillors -----------------------------------------------------------------------

    def commented_by_councillor(self, comment: CouncillorComment) -> Idea:
        """A councillor's public comment (the caller checked they represent the idea's hub). It
        changes nothing of the idea's status: the hub's staff still answer it."""
        if self.hidden is not None:
            raise Conflict(f"idea {self.id} was hidden by the hub's moderators; it takes no comments")
        return self._changed(comment.at, councillor_comments=[*self.councillor_comments, comment])

    # -- moderation -----------------------------------------------------------------------------

    def flagged_by(self, person_id: str, reason: str, at: datetime) -> Idea | None:
        """One flag per person (a repeat is None). Flags are for moderators: the version stays."""
        if any(flag.by == person_id for flag in self.flags):
            return None
        return self.model_copy(update={"flags": [*self.flags, Flag(by=person_id, reason=reason, at=at)]})

    def hidden_by(self, reason: str, *, by: str, at: datetime) -> Idea:
        if self.hidden is not None:
            raise Conflict(f"idea {self.id} is hidden already")
        return self._changed(at, hidden=Hiding(reason=reason, by=by, at=at))

    # -- erasure ----------------------------------------------------------------------------------

    def forgetting(self, person_id: str) -> Idea:
        """Nothing here links the idea to this person any more: not as proposer (the name they chose
        goes too), supporter, follower, flagger or staff actor. The idea, its wording and its counts
        stay: anonymous, they are the hub's public record of what residents asked for."""
        update: dict[str, Any] = {}
        if self.proposer_id == person_id:
            update |= {"proposer_id": None, "display_name": None}
        for name in ("supporters", "followers"):
            people: list[str] = getattr(self, name)
            if person_id in people:
                update[name] = [p for p in people if p != person_id]
        if any(flag.by == person_id for flag in self.flags):
            update["flags"] = [f.model_copy(update={"by": None}) if f.by == person_id else f for f in self.flags]
        if self.response is not None and self.response.by == person_id:
            update["response"] = self.response.model_copy(update={"by": None})
        if any(p.by == person_id for p in self.progress):
            update["progress"] = [p.model_copy(update={"by": None}) if p.by == person_id else p for p in self.progress]
        if self.hidden is not None and self.hidden.by == person_id:
            update["hidden"] = self.hidden.model_copy(update={"by": None})
        if any(c.by == person_id for c in self.councillor_comments):  # the comment stays, unsigned
            update["councillor_comments"] = [
                c.model_copy(update={"by": None, "name": None}) if c.by == person_id else c
                for c in self.councillor_comments
            ]
        if not update:
            return self
        shown = "proposer_id" in update or "councillor_comments" in update  # the page shows another name now
        return self.model_copy(update={**update, "version": self.version + (1 if shown else 0)})

"""The issue aggregate: a report, where it is in the workflow, who follows it, and what each change does.

Every change returns a new :class:`Issue` (with its next ``version`` when the change is one a reader
should see in the ETag); the service layer stores it and raises the events.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from hub_common.errors import Conflict, Forbidden, NotFound
from hub_issues.domain.duplicates import followers_after_merge
from hub_issues.domain.photos import Photo, require_count
from hub_issues.domain.workflow import CLOSED_STATUSES, StatusChange, WorkflowState

FeedbackState = Literal["none", "pending", "requested", "received"]
# History entries that note something without a status change record only who, when and the note.
NOTE_ACTIONS = frozenset({"assign", "update"})
_CHANGE_DETAILS = ("private_note", "agency_responsible", "reason", "duplicate_of")


class HistoryEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    action: str
    from_status: str
    to_status: str
    at: datetime
    by: str | None
    by_role: str
    public_note: str
    private_note: str | None = None
    agency_responsible: str | None = None
    reason: str | None = None
    duplicate_of: str | None = None
    photo_ids: list[str] = []  # the photos staff published with this update

    @staticmethod
    def of(change: StatusChange) -> HistoryEntry:
        return HistoryEntry(**history_entry(change))

    @staticmethod
    def note(action: str, status: str, *, at: datetime, by: str, by_role: str, public_note: str) -> HistoryEntry:
        return HistoryEntry(
            action=action, from_status=status, to_status=status, at=at, by=by, by_role=by_role, public_note=public_note
        )

    def recorded(self) -> dict[str, Any]:
        """The fields this entry records: a status change all its details, a note only who, when, what."""
        fields = self.model_dump()
        if not self.photo_ids:
            del fields["photo_ids"]
        if self.action in NOTE_ACTIONS:
            for name in _CHANGE_DETAILS:
                del fields[name]
        return fields


class Feedback(BaseModel):
    """The reporter's answer to a feedback request (kept by the hub, never published)."""

    model_config = ConfigDict(frozen=True)

    fixed: bool
    satisfaction: int | None = None
    comment: str | None = None
    received_at: datetime


class Issue(BaseModel):
    """A reported issue. Fields that are None until something happens (``fixed_at``, ``assignee``,
    ``feedback``...) are absent from its stored document until then."""

    model_config = ConfigDict(frozen=True)

    id: str
    hub_id: str
    service_code: str
    service_name: str
    group: str = ""
    description: str
    lat: float
    lon: float
    location_precision: Literal["point", "hub"] = "point"  # "hub": address only, placed at the hub centre
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    media_url: str | None = None  # a link the reporter gave; uploaded photos are in ``photos``
    photos: list[Photo] = []
    attributes: dict[str, Any] = {}
    asset_id: str | None = None
    reporter_id: str | None = None  # opaque: never a name or an address
    submitted_by: str | None = None
    submitted_by_role: str = "anonymous"
    channel: str = "api"  # api | open311 | inbound
    partner_key: str | None = None  # inbound: "<ce_source>|<partner_ref>", ingested once
    status: str = "reported"
    open: bool = True
    status_notes: str | None = None
    agency_responsible: str | None = None
    assignee: str | None = None
    history: list[HistoryEntry] = []
    followers: list[str] = []
    supporters: list[str] = []
    support_count: int = 0
    requested_at: datetime
    updated_at: datetime
    expected_at: datetime | None = None
    overdue: bool = False
    overdue_at: datetime | None = None
    fixed_at: datetime | None = None
    fix_note: str | None = None
    time_to_fix_h: float | None = None
    fixed_on_time: bool | None = None
    closed_at: datetime | None = None
    reason: str | None = None
    duplicate_of: str | None = None
    feedback_state: FeedbackState = "none"
    feedback_requested_at: datetime | None = None
    feedback_respond_by: datetime | None = None
    feedback: Feedback | None = None
    version: int = 1

    @property
    def workflow_state(self) -> WorkflowState:
        return WorkflowState(
            issue_id=self.id,
            status=self.status,
            reporter_id=self.reporter_id,
            closed_at=self.closed_at,
            agency_responsible=self.agency_responsible,
        )

    def _require_open(self, doing: str) -> None:
        if not self.open:
            raise Conflict(f"issue {self.id} is {self.status.replace('_', ' ')}; {doing} only open issues")

    # -- workflow ---------------------------------------------------------------------------------

    def after(self, change: StatusChange) -> Issue:
        """The issue once a status change the workflow allowed (:func:`decide`) is made."""
        to_set, to_clear = fields_after(change)
        if change.action == "fix":
            to_set.update(fix_metrics(self.requested_at, self.expected_at, change.at))
            to_set["feedback_state"] = "pending" if self.reporter_id else "none"
        return self.model_copy(
            update={
                **dict.fromkeys(to_clear),
                **to_set,
                "history": [*self.history, HistoryEntry.of(change)],
                "version": self.version + 1,
            }
        )

    def assigned(self, assignee: str, *, by: str, by_role: str, at: datetime) -> Issue:
        self._require_open("assign")
        entry = HistoryEntry.note(
            "assign", self.status, at=at, by=by, by_role=by_role, public_note=f"Assigned to {assignee}"
        )
        return self.model_copy(
            update={
                "assignee": assignee,
                "history": [*self.history, entry],
                "updated_at": at,
                "version": self.version + 1,
            }
        )

    def with_update(self, public_note: str, *, by: str, by_role: str, at: datetime) -> Issue:
        """A public progress note without a status change."""
        entry = HistoryEntry.note("update", self.status, at=at, by=by, by_role=by_role, public_note=public_note)
        return self.model_copy(
            update={
                "history": [*self.history, entry],
                "status_notes": public_note,
                "updated_at": at,
                "version": self.version + 1,
            }
        )

    # -- photos --------------------------------------------------------------------------------------

    @property
    def visible_photos(self) -> list[Photo]:
        """The photos the public may see (not hidden by staff)."""
        return [photo for photo in self.photos if not photo.hidden]

    def photo(self, photo_id: str) -> Photo:
        found = next((photo for photo in self.photos if photo.id == photo_id), None)
        if found is None:
            raise NotFound(f"there is no photo {photo_id!r}")
        return found

    def with_update_photos(self, photos: list[Photo]) -> Issue:
        """Photos staff publish with the update or status change just recorded (the last history
        entry), which names them; the version is the one that change gave."""
        if not photos:
            return self
        require_count(len(photos))
        last = self.history[-1].model_copy(update={"photo_ids": [photo.id for photo in photos]})
        return self.model_copy(update={"photos": [*self.photos, *photos], "history": [*self.history[:-1], last]})

    def photo_hidden(self, photo_id: str, *, reason: str, by: str, at: datetime) -> Issue:
        """Moderation: the photo is no longer served to the public (staff still see it). Hiding a
        hidden photo again changes nothing."""
        photo = self.photo(photo_id)
        if photo.hidden:
            return self
        hidden = photo.model_copy(update={"hidden": True, "hidden_reason": reason, "hidden_by": by, "hidden_at": at})
        photos = [hidden if p.id == photo_id else p for p in self.photos]
        return self.model_copy(update={"photos": photos, "version": self.version + 1})

    def absorbing(self, duplicate: Issue) -> tuple[Issue, int]:
        """This original once ``duplicate`` is merged into it, and how many followers it gained.

        The duplicate's reporter, followers and supporters follow the original; its reporter and
        supporters count as the original's supporters (never the original's own reporter)."""
        followers, added = followers_after_merge(self.followers, [*duplicate.followers, *duplicate.supporters])
        supporters = list(
            dict.fromkeys(
                [*self.supporters, *duplicate.supporters, *([duplicate.reporter_id] if duplicate.reporter_id else [])]
            )
        )
        supporters = [s for s in supporters if s != self.reporter_id]
        merged = self.model_copy(
            update={
                "followers": followers,
                "supporters": supporters,
                "support_count": len(supporters),
                "version": self.version + 1,
            }
        )
        return merged, added

    # -- support, overdue and feedback ----------------------------------------------------------

    def supports(self, person_id: str) -> bool:
        """Whether this person's "me too" is already counted (reporters support their own issue)."""
        return person_id in self.supporters or person_id == self.reporter_id

    def supported_by(self, person_id: str) -> Issue:
        self._require_open("support")
        supporters = [*self.supporters, person_id]
        followers = self.followers if person_id in self.followers else [*self.followers, person_id]
        return self.model_copy(
            update={
                "supporters": supporters,
                "support_count": len(supporters),
                "followers": followers,
                "version": self.version + 1,
            }
        )

    def flagged_overdue(self, at: datetime) -> Issue | None:
        """Flagged once as past its expected time (None if already flagged or no longer open).
        The flag is the hub's bookkeeping: the version readers see does not change."""
        if self.overdue or not self.open:
            return None
        return self.model_copy(update={"overdue": True, "overdue_at": at})

    def feedback_asked(self, at: datetime, respond_within: timedelta) -> Issue | None:
        """The reporter asked once for feedback (None if the question is not pending any more)."""
        if self.feedback_state != "pending":
            return None
        asked = {"feedback_state": "requested", "feedback_requested_at": at, "feedback_respond_by": at + respond_within}
        return self.model_copy(update=asked)

    def with_feedback(
        self, person_id: str, *, fixed: bool, satisfaction: int | None, comment: str | None, at: datetime
    ) -> Issue:
        """The reporter's one answer to the feedback request."""
        if person_id != self.reporter_id:
            raise Forbidden("only the reporter of this issue can give feedback on it")
        if self.feedback_state != "requested":
            raise Conflict("there is no open feedback request for this issue (it takes one answer)")
        if self.feedback_respond_by and at > self.feedback_respond_by:
            raise Conflict("the feedback request has expired")
        feedback = Feedback(fixed=fixed, satisfaction=satisfaction, comment=comment, received_at=at)
        return self.model_copy(update={"feedback_state": "received", "feedback": feedback, "version": self.version + 1})

    def forgetting(self, person_id: str) -> Issue:
        """Nothing here links the issue to this person any more: not as reporter, submitter, supporter,
        follower or actor in its history; their feedback's free text goes. The report itself (what,
        where, its public updates) stays: it is the council's anonymous public record."""
        update: dict[str, Any] = {}
        version = self.version
        if self.reporter_id == person_id:
            update |= {"reporter_id": None, "feedback_state": "none"}
            if self.feedback is not None and self.feedback.comment:
                update["feedback"] = self.feedback.model_copy(update={"comment": None})
            version += 1
        if self.submitted_by == person_id:
            update["submitted_by"] = None
        if any(entry.by == person_id for entry in self.history):
            update["history"] = [e.model_copy(update={"by": None}) if e.by == person_id else e for e in self.history]
        if person_id in self.supporters:
            update |= {
                "supporters": [s for s in self.supporters if s != person_id],
                "support_count": self.support_count - 1,
            }
            version += 1
        if person_id in self.followers:
            update["followers"] = [f for f in self.followers if f != person_id]
        if any(person_id in (photo.added_by, photo.hidden_by) for photo in self.photos):
            # The photos stay with the report (its public record of the problem); who added or hid them goes.
            update["photos"] = [_photo_without(photo, person_id) for photo in self.photos]
        return self.model_copy(update={**update, "version": version})


def _photo_without(photo: Photo, person_id: str) -> Photo:
    unlinked = {name: None for name in ("added_by", "hidden_by") if getattr(photo, name) == person_id}
    return photo.model_copy(update=unlinked) if unlinked else photo


def history_entry(change: StatusChange) -> dict[str, Any]:
    return {
        "action": change.action,
        "from_status": change.from_status,
        "to_status": change.to_status,
        "at": change.at,
        "by": change.by,
        "by_role": change.by_role,
        "public_note": change.public_note,
        "private_note": change.private_note,
        "agency_responsible": change.agency_responsible,
        "reason": change.reason,
        "duplicate_of": change.duplicate_of,
    }


def fields_after(change: StatusChange) -> tuple[dict[str, Any], list[str]]:
    """The fields to set and the fields to clear once ``change`` is applied."""
    to_set: dict[str, Any] = {
        "status": change.to_status,
        "open": change.to_status not in CLOSED_STATUSES,
        "status_notes": change.public_note,
        "updated_at": change.at,
    }
    to_clear: list[str] = []
    if change.action == "refer":
        to_set["agency_responsible"] = change.agency_responsible
    if change.action == "fix":
        to_set["fixed_at"] = change.at
        to_set["fix_note"] = change.public_note
    if change.to_status in CLOSED_STATUSES:
        to_set["closed_at"] = change.at
    if change.action == "close_not_fixed":
        to_set["reason"] = change.reason
    if change.action == "mark_duplicate":
        to_set["duplicate_of"] = change.duplicate_of
    if change.action == "reopen":
        to_clear += ["fixed_at", "fix_note", "closed_at", "reason", "time_to_fix_h", "fixed_on_time"]
        to_set["feedback_state"] = "none"
    return to_set, to_clear


def fix_metrics(requested_at: datetime, expected_at: datetime | None, fixed_at: datetime) -> dict[str, Any]:
    """Recorded when an issue is fixed, for area statistics: hours to fix, and whether within target."""
    return {
        "time_to_fix_h": round((fixed_at - requested_at).total_seconds() / 3600, 3),
        "fixed_on_time": expected_at is None or fixed_at <= expected_at,
    }


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def overdue(open_: bool, expected_at: datetime | None, now: datetime) -> bool:
    return open_ and expected_at is not None and now > expected_at


def feedback_due(feedback_state: str, fixed_at: datetime | None, now: datetime, delay: timedelta) -> bool:
    return feedback_state == "pending" and fixed_at is not None and now - fixed_at >= delay

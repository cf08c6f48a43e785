"""The issue workflow: which change is allowed from which status, by whom, with what details.

reported -> acknowledged -> in_progress -> fixed -> closed, plus referred (to a partner agency),
closed_not_fixed (with a reason), duplicate (merged into another issue) and reopen (staff any
time; the reporter only within the reopen period after it was fixed or closed). A partner agency an
open issue is referred to reports back on it: it may start work, fix it or close it as not fixed. Every change
records who, when, a public note and an optional private note. Anything else is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from hub_common.auth import STAFF_ROLES
from hub_common.errors import Conflict, Forbidden, RuleViolation

Status = Literal[
    "reported", "acknowledged", "in_progress", "referred", "fixed", "closed", "closed_not_fixed", "duplicate"
]
Action = Literal["acknowledge", "start", "refer", "fix", "close", "close_not_fixed", "mark_duplicate", "reopen"]
ActorRole = Literal["resident", "staff", "partner", "operator", "system"]

OPEN_STATUSES: frozenset[str] = frozenset({"reported", "acknowledged", "in_progress", "referred"})
CLOSED_STATUSES: frozenset[str] = frozenset({"fixed", "closed", "closed_not_fixed", "duplicate"})
REOPENABLE: frozenset[str] = frozenset({"fixed", "closed", "closed_not_fixed"})
# What the agency an issue is referred to (a registered partner) may do with it.
AGENCY_ACTIONS: frozenset[str] = frozenset({"start", "fix", "close_not_fixed"})

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({"reported"}), "acknowledged"),
    "start": (frozenset({"reported", "acknowledged", "referred"}), "in_progress"),
    "refer": (frozenset({"reported", "acknowledged", "in_progress"}), "referred"),
    "fix": (OPEN_STATUSES, "fixed"),
    "close": (frozenset({"fixed"}), "closed"),
    "close_not_fixed": (OPEN_STATUSES, "closed_not_fixed"),
    "mark_duplicate": (OPEN_STATUSES, "duplicate"),
    "reopen": (REOPENABLE, "reported"),
}


def open311_status(status: str) -> Literal["open", "closed"]:
    """Open311 knows only open and closed."""
    return "open" if status in OPEN_STATUSES else "closed"


@dataclass(frozen=True)
class Actor:
    id: str | None
    role: ActorRole


@dataclass(frozen=True)
class StatusChange:
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


@dataclass(frozen=True)
class WorkflowState:
    """What the rules need to know about an issue."""

    issue_id: str
    status: str
    reporter_id: str | None
    closed_at: datetime | None  # when it last entered a closed status
    agency_responsible: str | None = None  # the agency it was referred to (a partner's id, or a name)


def decide(
    state: WorkflowState,
    action: str,
    *,
    actor: Actor,
    at: datetime,
    public_note: str,
    private_note: str | None = None,
    agency_responsible: str | None = None,
    reason: str | None = None,
    duplicate_of: str | None = None,
    reopen_period: timedelta = timedelta(days=28),
) -> StatusChange:
    """Decide whether ``actor`` may do ``action`` now; return the change or raise why not."""
    if action not in TRANSITIONS:
        raise RuleViolation(
            f"unknown action {action!r}; one of {', '.join(TRANSITIONS)}",
            errors=[{"field": "action", "message": "unknown action", "type": "enum"}],
        )
    _check_actor(state, action, actor, at, reopen_period)
    allowed_from, to_status = TRANSITIONS[action]
    if state.status not in allowed_from:
        raise Conflict(
            f"cannot {action.replace('_', ' ')} issue {state.issue_id}: it is {state.status.replace('_', ' ')}",
            current_status=state.status,
            allowed_actions=allowed_actions(state.status),
        )
    if not public_note or not public_note.strip():
        raise _missing("public_note", "every change needs a public note")
    if action == "refer" and not (agency_responsible and agency_responsible.strip()):
        raise _missing("agency_responsible", "say which agency the issue is referred to")
    if action == "close_not_fixed" and not (reason and reason.strip()):
        raise _missing("reason", "say why it is closed without a fix")
    if action == "mark_duplicate":
        if not duplicate_of:
            raise _missing("duplicate_of", "say which issue this duplicates")
        if duplicate_of == state.issue_id:
            raise RuleViolation("an issue cannot duplicate itself")
    return StatusChange(
        action=action,
        from_status=state.status,
        to_status=to_status,
        at=at,
        by=actor.id,
        by_role=actor.role,
        public_note=public_note.strip(),
        private_note=(private_note or "").strip() or None,
        agency_responsible=agency_responsible.strip() if action == "refer" and agency_responsible else None,
        reason=reason.strip() if action == "close_not_fixed" and reason else None,
        duplicate_of=duplicate_of if action == "mark_duplicate" else None,
    )


def _check_actor(state: WorkflowState, action: str, actor: Actor, at: datetime, reopen_period: timedelta) -> None:
    if actor.role in STAFF_ROLES or actor.role == "system":
        return
    if actor.role == "partner":
        if not is_agency(state, actor):
            raise Forbidden("a partner changes only the issues referred to it")
        if action not in AGENCY_ACTIONS:
            raise Forbidden(f"the agency an issue is referred to may {', '.join(sorted(AGENCY_ACTIONS))}, not {action}")
        return
    is_reporter = actor.id is not None and actor.id == state.reporter_id
    if action != "reopen" or not is_reporter:
        raise Forbidden("only hub staff change an issue's status; its reporter may reopen it")
    if state.status in REOPENABLE and state.closed_at is not None and at - state.closed_at > reopen_period:
        raise Conflict(
            f"the reopen period ({reopen_period.days} days after it was closed) has passed; report it again",
            current_status=state.status,
        )


def is_agency(state: WorkflowState, actor: Actor) -> bool:
    """Whether ``actor`` is the partner agency the open issue is referred to."""
    return (
        actor.role == "partner"
        and actor.id is not None
        and actor.id == state.agency_responsible
        and state.status in OPEN_STATUSES
    )


def allowed_actions(status: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def _missing(field: str, message: str) -> RuleViolation:
    return RuleViolation(message, errors=[{"field": field, "message": message, "type": "missing"}])

"""Equipment reservations and loans.

reserved → checked_out → returned;  reserved → cancelled. A resident's request to borrow starts
as requested → reserved (staff approve, when the quantity is free) | declined | cancelled; a request
holds no items until it is approved. A loan is overdue while it is checked
out past its due time (detected by :func:`overdue`, announced once). The quantity of an
equipment entry is never over-committed: at every instant, the active loans overlapping a new
one leave at least its quantity free (an overdue loan holds its items until it is returned).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hub_common.contracts.assets import BorrowerKind, Condition, LoanStatus
from hub_common.errors import Conflict, Forbidden, RuleViolation

ACTIVE: tuple[LoanStatus, ...] = ("reserved", "checked_out")
TRANSITIONS: dict[str, set[str]] = {
    "requested": {"reserved", "declined", "cancelled"},
    "reserved": {"checked_out", "cancelled"},
    "checked_out": {"returned"},
    "returned": set(),
    "cancelled": set(),
    "declined": set(),
}
# A volunteer borrows once cleared to volunteer (statuses from hub.volunteers.events).
VOLUNTEER_MAY_BORROW = ("approved", "active")
BAD_CONDITIONS: tuple[Condition, ...] = ("poor", "broken")


class Loan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    asset_id: str
    hub_id: str
    borrower_kind: BorrowerKind
    borrower_id: str
    quantity: int = Field(default=1, ge=1)
    starts_at: AwareDatetime
    due_at: AwareDatetime
    status: LoanStatus = "reserved"
    condition_out: Condition | None = None
    condition_in: Condition | None = None
    checked_out_at: datetime | None = None
    returned_at: datetime | None = None
    overdue_since: datetime | None = None
    notes: str = ""
    reason: str | None = Field(default=None, max_length=500, description="why a request was declined")
    version: int = 1
    created_at: datetime
    updated_at: datetime

    def holds_until(self, now: datetime) -> datetime:
        """When the items are free again: the due time, or later while an overdue loan is out."""
        if self.status == "checked_out" and self.due_at < now:
            return now + timedelta(days=1)
        return self.due_at


class KnownVolunteer(BaseModel):
    """A volunteer as hub.volunteers.events last told us: opaque id, hub and status (no personal data)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    hub_id: str
    status: str
    updated_at: datetime = Field(description="time of the event applied (a later one wins)")


def check_loan_dates(starts_at: datetime, due_at: datetime, now: datetime, max_loan_days: int) -> None:
    errors = []
    if due_at <= starts_at:
        errors.append({"field": "due_at", "message": "the due time must be after the start"})
    elif due_at - starts_at > timedelta(days=max_loan_days):
        errors.append({"field": "due_at", "message": f"this equipment is lent for at most {max_loan_days} days"})
    if starts_at < now - timedelta(minutes=15):
        errors.append({"field": "starts_at", "message": "a reservation cannot start in the past"})
    if errors:
        raise RuleViolation("these loan dates are not possible", errors=errors)


def peak_use(others: Iterable[Loan], starts_at: datetime, due_at: datetime, now: datetime) -> int:
    """The most items the active loans ``others`` hold at any instant of [starts_at, due_at)."""
    events: list[tuple[datetime, int]] = []
    for loan in others:
        if loan.status not in ACTIVE:
            continue
        start, end = max(loan.starts_at, starts_at), min(loan.holds_until(now), due_at)
        if start < end:
            events += [(start, loan.quantity), (end, -loan.quantity)]
    events.sort(key=lambda e: (e[0], e[1]))  # a release at t happens before a take at t
    peak = current = 0
    for _, delta in events:
        current += delta
        peak = max(peak, current)
    return peak


def check_available(
    total: int, others: Iterable[Loan], starts_at: datetime, due_at: datetime, quantity: int, now: datetime
) -> None:
    used = peak_use(others, starts_at, due_at, now)
    if used + quantity > total:
        free = max(total - used, 0)
        raise Conflict(f"only {free} of {total} available for these dates", available=free)


def transition(loan: Loan, target: LoanStatus, now: datetime, **changes: object) -> Loan:
    if target not in TRANSITIONS[loan.status]:
        raise Conflict(f"a {loan.status} loan cannot become {target}")
    return loan.model_copy(update={"status": target, "version": loan.version + 1, "updated_at": now, **changes})


def may_cancel(loan: Loan, actor_id: str, actor_may_manage: bool) -> None:
    """The hub's staff or partners cancel any reservation; a resident only their own request or reservation."""
    if not actor_may_manage and loan.borrower_id != actor_id:
        raise Forbidden("only the borrower or the hub's staff can cancel this loan")


def check_out(loan: Loan, now: datetime, condition: Condition) -> Loan:
    if loan.status == "reserved" and now < loan.starts_at - timedelta(hours=24):
        raise Conflict("this reservation starts more than a day from now; check it out nearer the time")
    return transition(loan, "checked_out", now, checked_out_at=now, condition_out=condition)


def check_in(loan: Loan, now: datetime, condition: Condition) -> Loan:
    return transition(loan, "returned", now, returned_at=now, condition_in=condition)


def overdue(loan: Loan, now: datetime) -> bool:
    """Checked out, past due, and not announced yet."""
    return loan.status == "checked_out" and loan.due_at < now and loan.overdue_since is None


def needs_maintenance(condition: Condition) -> bool:
    return condition in BAD_CONDITIONS

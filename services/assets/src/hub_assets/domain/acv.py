"""Assets of Community Value (Localism Act 2011 Part 5 Ch 3; the Assets of Community Value
(England) Regulations 2012): the statutory dates as pure date arithmetic, and the nomination's
lifecycle.

- A community group nominates; the council decides within 8 weeks of receiving the nomination.
- A listed asset stays on the list for 5 years from the listing decision; the owner may ask for
  a review within 8 weeks of it.
- The owner's notice of intent to dispose starts the 6-week *interim moratorium* (from the day
  the council receives the notice).
- A written request from a community interest group to be treated as a potential bidder, made
  within the interim moratorium, extends it to the *full moratorium*: 6 months from the notice.
- The *protected period* is 18 months from the notice: no further moratorium starts within it.

nominated → listed | not_listed;  listed → expired (after 5 years) | removed.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub_common.errors import Conflict, RuleViolation

AcvStatus = Literal["nominated", "listed", "not_listed", "expired", "removed"]

DECISION_WEEKS = 8
REVIEW_WEEKS = 8
LISTING_YEARS = 5
INTERIM_WEEKS = 6
FULL_MONTHS = 6
PROTECTED_MONTHS = 18


def add_months(day: date, months: int) -> date:
    """Same day of the month ``months`` later; the month's last day when it is shorter (31 Aug + 6 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def decision_due(nominated_on: date) -> date:
    return nominated_on + timedelta(weeks=DECISION_WEEKS)


def listing_expires(listed_on: date) -> date:
    """The day the entry comes off the list (5 years after the listing)."""
    return add_months(listed_on, 12 * LISTING_YEARS)


def review_deadline(listed_on: date) -> date:
    return listed_on + timedelta(weeks=REVIEW_WEEKS)


class Moratorium(BaseModel):
    """The dates a notice of intended disposal sets running."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    notice_received_on: date
    interim_ends_on: date = Field(description="the last day of the 6-week interim moratorium is the day before")
    community_request_on: date | None = None
    full_ends_on: date | None = None
    protected_until: date

    @property
    def ends_on(self) -> date:
        """The day the owner may dispose again (end of the interim or the full moratorium)."""
        return self.full_ends_on or self.interim_ends_on

    def phase_on(self, day: date) -> Literal["interim", "full", "protected", "over"]:
        if day < self.interim_ends_on:
            return "interim"
        if self.full_ends_on is not None and day < self.full_ends_on:
            return "full"
        if day < self.protected_until:
            return "protected"
        return "over"


def start_moratorium(notice_received_on: date) -> Moratorium:
    return Moratorium(
        notice_received_on=notice_received_on,
        interim_ends_on=notice_received_on + timedelta(weeks=INTERIM_WEEKS),
        protected_until=add_months(notice_received_on, PROTECTED_MONTHS),
    )


def extend_to_full(moratorium: Moratorium, request_on: date) -> Moratorium:
    if moratorium.full_ends_on is not None:
        raise Conflict("a community group has already asked to bid: the full moratorium is running")
    if request_on < moratorium.notice_received_on:
        raise RuleViolation("the request cannot come before the owner's notice")
    if request_on >= moratorium.interim_ends_on:
        raise Conflict(
            f"the interim moratorium ended on {moratorium.interim_ends_on.isoformat()}; "
            "a request to bid now does not start the full moratorium"
        )
    return moratorium.model_copy(
        update={
            "community_request_on": request_on,
            "full_ends_on": add_months(moratorium.notice_received_on, FULL_MONTHS),
        }
    )


class Nomination(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    asset_id: str
    hub_id: str
    nominated_by: str = Field(description="the nominating community group (an organisation on the map)")
    reason: str
    nominated_on: date
    decision_due_on: date
    status: AcvStatus = "nominated"
    decided_on: date | None = None
    listed_on: date | None = None
    expires_on: date | None = None
    review_deadline_on: date | None = None
    decision_reason: str | None = None
    moratoria: list[Moratorium] = Field(default_factory=list)
    announced_moratorium_end: date | None = Field(default=None, description="last moratorium end announced")
    version: int = 1

    @property
    def current_moratorium(self) -> Moratorium | None:
        return self.moratoria[-1] if self.moratoria else None


def nominate(nomination_id: str, *, asset_id: str, hub_id: str, nominated_by: str, reason: str, on: date) -> Nomination:
    return Nomination(
        id=nomination_id,
        asset_id=asset_id,
        hub_id=hub_id,
        nominated_by=nominated_by,
        reason=reason,
        nominated_on=on,
        decision_due_on=decision_due(on),
    )


def decide(nomination: Nomination, *, listed: bool, on: date, reason: str | None) -> Nomination:
    if nomination.status != "nominated":
        raise Conflict(f"this nomination was already decided ({nomination.status})")
    if on < nomination.nominated_on:
        raise RuleViolation("the decision cannot come before the nomination")
    changes: dict = {"decided_on": on, "decision_reason": reason, "version": nomination.version + 1}
    if listed:
        changes |= {
            "status": "listed",
            "listed_on": on,
            "expires_on": listing_expires(on),
            "review_deadline_on": review_deadline(on),
        }
    else:
        changes["status"] = "not_listed"
    return nomination.model_copy(update=changes)


def notice_of_disposal(nomination: Nomination, received_on: date) -> Nomination:
    if nomination.status != "listed":
        raise Conflict("only a listed asset has moratoria")
    assert nomination.expires_on is not None and nomination.listed_on is not None
    if not nomination.listed_on <= received_on < nomination.expires_on:
        raise RuleViolation("the notice must be received while the asset is listed")
    current = nomination.current_moratorium
    if current is not None and received_on < current.protected_until:
        raise Conflict(
            f"the protected period runs until {current.protected_until.isoformat()}: "
            "no new moratorium starts before then"
        )
    return nomination.model_copy(
        update={"moratoria": [*nomination.moratoria, start_moratorium(received_on)], "version": nomination.version + 1}
    )


def community_request(nomination: Nomination, request_on: date) -> Nomination:
    current = nomination.current_moratorium
    if nomination.status != "listed" or current is None:
        raise Conflict("there is no moratorium to extend: the owner has not given notice")
    extended = extend_to_full(current, request_on)
    return nomination.model_copy(
        update={"moratoria": [*nomination.moratoria[:-1], extended], "version": nomination.version + 1}
    )


def due_changes(nomination: Nomination, today: date) -> list[Literal["moratorium_ended", "expired"]]:
    """What the date has brought about and is not announced yet (the worker's daily sweep)."""
    changes: list[Literal["moratorium_ended", "expired"]] = []
    current = nomination.current_moratorium
    if (
        nomination.status == "listed"
        and current is not None
        and current.phase_on(today) in ("protected", "over")
        and nomination.announced_moratorium_end != current.ends_on
    ):
        changes.append("moratorium_ended")
    if nomination.status == "listed" and nomination.expires_on is not None and today >= nomination.expires_on:
        changes.append("expired")
    return changes

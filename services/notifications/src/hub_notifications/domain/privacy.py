"""A privacy request about one person: erase everything, or send them a copy (UK GDPR Articles 15 and 17).

One request per person, whichever services hold their data: the owner resolves the email or phone
to every id the person is known by, each service answers for itself, and the request completes
with a receipt once all have. It is due one calendar month after it was received (the ICO's rule).
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub_common.contracts.privacy import HeldData, RequestKind
from hub_common.errors import Conflict, Gone

Status = Literal["open", "completed"]
SELF = "the person, by the link sent to their email"
CONFIRMATION_SUB = "privacy-confirmation:"  # whom an emailed confirmation link signs in as (+ its id)
EXPORT_SUB = "privacy-export:"  # whom an emailed export link signs in as (+ the request's id)


class ServiceAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)

    service: str
    answered_at: datetime
    held: list[HeldData] = Field(default_factory=list)


class PrivacyRequest(BaseModel):
    """The request, as the privacy team sees it. Identifiers are dropped once it completes."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: RequestKind
    reference: str  # the council's case reference, e.g. from the letter or call
    reason: str
    handled_by: str  # the privacy officer (or operator) who logged it, or SELF
    email: str | None = None
    phone: str | None = None
    people_found: int = 0  # how many person ids the identifiers matched
    services: tuple[str, ...]  # who must answer
    answers: dict[str, ServiceAnswer] = Field(default_factory=dict)
    status: Status = "open"
    received_at: datetime
    due_at: datetime
    completed_at: datetime | None = None
    export_expires_at: datetime | None = None  # access: the export is deleted then
    # Made by the person through the emailed link: the contact their proven email belongs to, who is
    # sent the link to their export when it is ready.
    notify_person_id: str | None = None
    version: int = 1

    @property
    def waiting_for(self) -> list[str]:
        return [service for service in self.services if service not in self.answers]

    def answered(self, answer: ServiceAnswer, *, export_ttl: timedelta) -> PrivacyRequest:
        """A service's answer; the last one completes the request (identifiers dropped). A repeat of a
        service's answer (a replay) keeps the first."""
        if answer.service in self.answers or answer.service not in self.services:
            return self
        answers = {**self.answers, answer.service: answer}
        update: dict = {"answers": answers, "version": self.version + 1}
        if all(service in answers for service in self.services):
            update |= {"status": "completed", "completed_at": answer.answered_at, "email": None, "phone": None}
            if self.kind == "access":
                update["export_expires_at"] = answer.answered_at + export_ttl
        return self.model_copy(update=update)

    def require_export(self, now: datetime) -> None:
        """The export can be downloaded: an access request, complete, not yet expired."""
        if self.kind != "access":
            raise Conflict("an erasure request has no export")
        if self.status != "completed":
            raise Conflict(f"the export is not ready: waiting for {', '.join(self.waiting_for)}")
        if self.export_expires_at is not None and now >= self.export_expires_at:
            raise Gone("the export was deleted when its time ran out; open a new request for a fresh copy")


class Confirmation(BaseModel):
    """A request made by email, waiting for the person to confirm it with the link sent there."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: RequestKind
    email: str
    person_id: str  # the contact the link was sent to
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def use(self, now: datetime) -> Confirmation:
        """The link works once, and only until it expires."""
        if self.used_at is not None:
            raise Gone("this link has been used already; your request is being handled")
        if now >= self.expires_at:
            raise Gone("this link has expired; ask again and use the new link within a day")
        return self.model_copy(update={"used_at": now})


def one_month_after(at: datetime) -> datetime:
    """The same day next month, or that month's last day when it has no such day (31 Jan -> 28/29 Feb)."""
    year, month = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    day = min(at.day, calendar.monthrange(year, month)[1])
    return at.replace(year=year, month=month, day=day)

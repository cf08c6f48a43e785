"""Requests about one person's data, carried only on ``hub.privacy`` (every service reads it, no partner).

Notifications owns the request (it alone can tell which person ids an email or phone belongs to:
its contact book learns every service's ids from ``hub.contacts``). It publishes the request with
those ids and no identifier; each service erases or exports what it holds under any of them and
answers; the owner completes the request once every service has answered. A subject-access answer
carries the person's data, so each answer is keyed ``<request id>:<service>`` and superseded, in the
compacted topic, by the owner's "collected" record under the same key once the export is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub_common.contracts.registry import EventData, event_contract
from hub_common.contracts.topics import PRIVACY_TOPIC

RequestKind = Literal["erasure", "access"]
MAX_PEOPLE = 1000  # person ids one request may name (one person: every id they were given)


class HeldData(BaseModel):
    """One kind of data a service held about the person, and what it did with it (the receipt's line)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(min_length=1, max_length=200, description="e.g. 'volunteer record', 'booking purposes'")
    count: int = Field(ge=0)
    action: str = Field(min_length=1, max_length=500, description="e.g. 'erased', 'anonymised: ...', 'exported'")


@event_contract("hub.notifications.privacy_request.opened.v1", topic=PRIVACY_TOPIC)
class PrivacyRequestOpened(EventData):
    """Erase, or export, everything held under these person ids (one person's ids in every service)."""

    request_id: str = Field(min_length=1, max_length=64)
    kind: RequestKind
    person_ids: list[str] = Field(max_length=MAX_PEOPLE)
    due_at: datetime


class PrivacyRequestAnswered(EventData):
    """A service's answer: what it held under the request's ids, what it did, and (access) the export."""

    request_id: str = Field(min_length=1, max_length=64)
    service: str = Field(min_length=1, max_length=64)
    kind: RequestKind
    held: list[HeldData] = Field(default_factory=list)
    export: dict[str, Any] | None = Field(default=None, description="access only: the service's data, as JSON")


@event_contract("hub.volunteers.privacy_request.answered.v1", topic=PRIVACY_TOPIC)
class VolunteersPrivacyAnswered(PrivacyRequestAnswered):
    """The volunteers service's answer to a privacy request."""


@event_contract("hub.issues.privacy_request.answered.v1", topic=PRIVACY_TOPIC)
class IssuesPrivacyAnswered(PrivacyRequestAnswered):
    """The issues service's answer to a privacy request."""


@event_contract("hub.assets.privacy_request.answered.v1", topic=PRIVACY_TOPIC)
class AssetsPrivacyAnswered(PrivacyRequestAnswered):
    """The assets service's answer to a privacy request."""


@event_contract("hub.participation.privacy_request.answered.v1", topic=PRIVACY_TOPIC)
class ParticipationPrivacyAnswered(PrivacyRequestAnswered):
    """The participation service's answer to a privacy request."""


@event_contract("hub.notifications.privacy_request.answered.v1", topic=PRIVACY_TOPIC)
class NotificationsPrivacyAnswered(PrivacyRequestAnswered):
    """The notifications service's answer to a privacy request (about its own records)."""


@event_contract("hub.notifications.privacy_answer.collected.v1", topic=PRIVACY_TOPIC)
class PrivacyAnswerCollected(EventData):
    """The owner stored a service's answer: under the answer's key, it supersedes the export in the topic."""

    request_id: str = Field(min_length=1, max_length=64)
    service: str = Field(min_length=1, max_length=64)


@event_contract("hub.notifications.privacy_request.completed.v1", topic=PRIVACY_TOPIC)
class PrivacyRequestCompleted(EventData):
    """Every service answered; under the request's key, it supersedes the request's list of ids.

    A subject access request the person made themselves names them (``person_id``, whose email they
    proved) and the account their emailed download link signs in as (``export_sub``, this export
    only), valid until ``export_expires_at``."""

    request_id: str = Field(min_length=1, max_length=64)
    kind: RequestKind
    completed_at: datetime
    person_id: str | None = Field(default=None, max_length=128)
    export_sub: str | None = Field(default=None, max_length=128)
    export_expires_at: datetime | None = None


@event_contract("hub.notifications.privacy_confirmation.requested.v1", topic=PRIVACY_TOPIC)
class PrivacyConfirmationRequested(EventData):
    """Someone asked, giving an email address, for the data held under it to be erased or sent: the
    person it belongs to confirms by the emailed link, which signs in as ``confirmation_sub`` (this
    confirmation only) until ``expires_at``. Under the confirmation's key, so it is compacted away."""

    confirmation_id: str = Field(min_length=1, max_length=64)
    person_id: str = Field(min_length=1, max_length=128, description="a contact the address belongs to")
    kind: RequestKind
    confirmation_sub: str = Field(min_length=1, max_length=128)
    expires_at: datetime


ANSWER_TYPES: dict[str, type[PrivacyRequestAnswered]] = {
    "volunteers": VolunteersPrivacyAnswered,
    "issues": IssuesPrivacyAnswered,
    "assets": AssetsPrivacyAnswered,
    "notifications": NotificationsPrivacyAnswered,
    "participation": ParticipationPrivacyAnswered,
}


def answer_key(request_id: str, service: str) -> str:
    """The Kafka key (event subject) of a service's answer, and of the record that supersedes it."""
    return f"{request_id}:{service}"

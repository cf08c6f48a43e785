"""Messages and their delivery lifecycle (after GOV.UK Notify's statuses).

created → sending → delivered | temporary_failure (retried with backoff) | permanent_failure |
technical_failure; ``skipped`` when the person's consent or preferences rule the channel out;
``deferred`` until their quiet hours end; ``digest_pending`` until their daily or weekly digest.
One message exists per (event, recipient, channel): its id is derived from those three, so an
event delivered twice can never produce a second message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from hub_common.contracts.notifications import MessageChannel, MessageStatus

Channel = MessageChannel
Status = MessageStatus  # the published status_changed event carries the same values
PENDING_STATUSES: tuple[str, ...] = ("created", "temporary_failure", "deferred", "sending", "digest_pending")
FINAL_STATUSES: frozenset[str] = frozenset({"delivered", "permanent_failure", "technical_failure", "skipped"})

# Why a message waits: its event was consumed before the person's contact details (another topic).
WAITING_FOR_CONTACT = "contact details not known yet"
# Contact details travel on hub.contacts, which is not ordered against the event topics: wait this
# long for a recipient's details to arrive before giving up on a message.
CONTACT_WAIT = timedelta(minutes=15)
CONTACT_RETRY_FIRST = timedelta(seconds=1)
CONTACT_RETRY_MAX = timedelta(minutes=1)

# Waits before each retry of a temporary failure; after the last one the failure is permanent.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=2),
)


def message_id(event_source: str, event_id: str, person_id: str, channel: str, message_type: str = "") -> str:
    """One message per (event, recipient, channel) and message type (a confirmation and its reminder)."""
    natural_key = f"{event_source}|{event_id}|{person_id}|{channel}|{message_type}"
    return hashlib.sha256(natural_key.encode()).hexdigest()[:32]


class StatusChange(BaseModel):
    """One step of a message's history."""

    status: Status
    at: datetime
    reason: str | None = None


class Message(BaseModel):
    """One message to one person on one channel about one event: its delivery state and, once
    rendered, its text (an in-app message's stored text is the person's inbox)."""

    id: str  # message_id(event source, event id, person, channel, message type)
    event_id: str
    event_source: str
    event_type: str
    hub_id: str | None = None
    person_id: str  # "erased" once the person asked to be forgotten
    channel: Channel
    message_type: str
    category: str  # what people opt out of, e.g. "issue_updates"
    critical: bool = False  # bypasses preferences and throttling, and goes before any backlog
    values: dict[str, Any] = Field(default_factory=dict)  # the template's fields, from the event
    status: Status
    reason: str | None = None
    attempts: int = 0
    created_at: datetime
    updated_at: datetime | None = None
    next_attempt_at: datetime | None = None  # None once final
    reminder_keys: list[str] = Field(default_factory=list)  # what can call a reminder off, e.g. "signup_id:s1"
    trace_id: str | None = None  # of the request that caused the event
    history: list[StatusChange] = Field(default_factory=list)
    read_at: datetime | None = None
    subject: str | None = None  # rendered when sent (kept for the inbox and digests)
    body: str | None = None
    content_removed_at: datetime | None = None  # when retention removed subject, body and values
    digest_id: str | None = None  # the digest email it went out in

    def settled(self, outcome: Outcome, now: datetime, rendered: dict[str, str] | None = None) -> Message:
        """The message as its first attempt left it, for one that is settled as it is planned."""
        return self.model_copy(
            update={
                "status": outcome.status,
                "reason": outcome.reason,
                "updated_at": now,
                "next_attempt_at": outcome.next_attempt_at,
                "attempts": self.attempts + (1 if outcome.attempted else 0),
                "history": [*self.history, StatusChange(status=outcome.status, at=now, reason=outcome.reason)],
                **(rendered or {}),
            }
        )


@dataclass(frozen=True)
class Outcome:
    """What a delivery attempt decided."""

    status: Status
    reason: str | None = None
    next_attempt_at: datetime | None = None
    # False when nothing was tried (the channel's server was down): the claim's attempt is given
    # back, so a long outage does not use up a message's retries.
    attempted: bool = True


def waiting_for_contact(attempts: int, now: datetime) -> Outcome:
    """Try again soon: the contact usually arrives within moments (and wakes the message itself);
    the short retry covers the contact landing while this attempt was under way."""
    delay = min(CONTACT_RETRY_FIRST * 2 ** min(max(attempts - 1, 0), 16), CONTACT_RETRY_MAX)  # no overflow
    return Outcome("temporary_failure", WAITING_FOR_CONTACT, now + delay)


def awaiting_contact(now: datetime) -> Outcome:
    """A message planned before its recipient's contact details arrived: not attempted, it waits for
    them (their arrival makes it due at once) and is looked at again after a minute in any case."""
    return Outcome("temporary_failure", WAITING_FOR_CONTACT, now + CONTACT_RETRY_MAX, attempted=False)


def after_temporary_failure(attempts: int, now: datetime, reason: str) -> Outcome:
    """Retry later with backoff, or give up when the retries are spent."""
    if attempts > len(RETRY_DELAYS):
        return Outcome("permanent_failure", f"gave up after {attempts} attempts: {reason}")
    return Outcome("temporary_failure", reason, now + RETRY_DELAYS[attempts - 1])


class DeliveryError(Exception):
    """A channel could not deliver. ``permanent`` says whether trying again could help;
    ``unreachable`` that no server answered at all (the channel's health counts those)."""

    def __init__(self, reason: str, *, permanent: bool, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.unreachable = unreachable


THROTTLE_WINDOW = timedelta(hours=1)
THROTTLED_CHANNELS = ("email", "sms")  # in-app messages are never held back


def throttled(sent_in_window: int, limit: int, channel: str, window_frees_at: datetime) -> Outcome | None:
    """Hold a non-critical message back when the person already had ``limit`` on this channel in the
    past hour, until the window frees up (the oldest of those sends is an hour old). Emails held back
    are collected into one digest sent then ("12 messages since 10:05"), not deferred one by one and
    polled again and again; other channels wait once, for the same moment."""
    if limit <= 0 or sent_in_window < limit:
        return None
    reason = f"more than {limit} messages in an hour"
    if channel == "email":
        return Outcome("digest_pending", f"{reason}: collected into one email", window_frees_at)
    return Outcome("deferred", reason, window_frees_at)

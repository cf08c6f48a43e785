"""What delivering a message needs to know of its recipient, read once for a batch of messages, and
what an attempt comes to before anything is sent.

The delivery worker uses both for every message it claims; planning uses them to settle in-app
messages as it creates them (storing an in-app message with its text is its delivery, so it need
not go through the queue: claiming and recording it cost two writes more than the rest of its life).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hub_common.contracts.notifications import MessageStatusChanged
from hub_common.errors import NotFound
from hub_common.repository import Session
from hub_common.tracing import TraceContext, new_trace, reset_current_trace, set_current_trace
from hub_common.uow import Transaction
from hub_notifications.adapters.contacts import ContactRepository
from hub_notifications.adapters.messages import Attempted
from hub_notifications.adapters.preferences import PreferencesRepository
from hub_notifications.adapters.sent_log import Sent, SentLog
from hub_notifications.domain.contacts import Contact
from hub_notifications.domain.messages import (
    CONTACT_WAIT,
    THROTTLE_WINDOW,
    THROTTLED_CHANNELS,
    Message,
    Outcome,
    throttled,
    waiting_for_contact,
)
from hub_notifications.domain.preferences import Preferences, decide
from hub_notifications.domain.templates import Template, render
from hub_notifications.service.templates import TemplateService

Rendered = dict[str, str]  # the subject and body a message went out with
TemplateKey = tuple[str, str, str]  # message type, channel, language


@dataclass
class Recipients:
    """What one batch of messages needs to know of its recipients, read once for the batch."""

    contacts: dict[str, Contact]
    erased: set[str]
    preferences: dict[str, Preferences]
    # Messages sent per (person, channel) in the past hour, counting those this batch sends: the throttle.
    sent: dict[tuple[str, str], Sent]
    templates: dict[TemplateKey, Template | NotFound] = field(default_factory=dict)
    # The throttle's decisions for this batch's messages, taken (and their sends noted) before any is
    # sent: None for one that may go, how it waits otherwise (see DeliveryService._reserve).
    decided: dict[str, Outcome | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Ready:
    """Nothing stands in the way of sending: the recipient and the text it goes out with."""

    contact: Contact
    rendered: Rendered


class RecipientReader:
    def __init__(
        self,
        contacts: ContactRepository,
        preferences: PreferencesRepository,
        templates: TemplateService,
        sent_log: SentLog,
        *,
        max_per_hour: int,
    ) -> None:
        self.contacts = contacts
        self.preferences = preferences
        self.templates = templates
        self.sent_log = sent_log
        self.max_per_hour = max_per_hour

    async def read(self, batch: list[Message], now: datetime, session: Session = None) -> Recipients:
        """One query per collection for the whole batch, what each was sent this hour included."""
        people = list(dict.fromkeys(m.person_id for m in batch))
        contacts = await self.contacts.many(people, session)
        missing = [p for p in people if p not in contacts]
        known = Recipients(
            contacts=contacts,
            erased=await self.contacts.erased_among(missing, session),
            preferences=await self.preferences.many(list(contacts), session),
            sent=await self.sent_log.since(list(contacts), THROTTLED_CHANNELS, now - THROTTLE_WINDOW)
            if self.max_per_hour > 0
            else {},
        )
        for message in batch:
            contact = contacts.get(message.person_id)
            key = (message.message_type, message.channel, contact.language if contact else "en")
            if contact is not None and key not in known.templates:
                try:
                    known.templates[key] = await self.templates.text_for(*key)
                except NotFound as exc:
                    known.templates[key] = exc
        return known

    def throttles(self, message: Message) -> bool:
        """Whether the hour's limit applies to the message (critical and in-app ones always may go)."""
        return not message.critical and message.channel in THROTTLED_CHANNELS and self.max_per_hour > 0

    def held_back(self, message: Message, known: Recipients, now: datetime, *, counting: bool) -> Outcome | None:
        """The throttle: how a message waits when its person already had the hour's limit on its
        channel (None: it may go; critical and in-app messages always may). ``counting``: the caller
        sends it if it may go, so it is counted before the send, and a batch's concurrent sends keep
        to the limit."""
        if not self.throttles(message):
            return None
        if counting and message.id in known.decided:
            return known.decided[message.id]
        key = (message.person_id, message.channel)
        sent = known.sent.setdefault(key, Sent(0, now)) if counting else known.sent.get(key)
        if sent is None:
            return None
        held = throttled(sent.count, self.max_per_hour, message.channel, sent.first_at + THROTTLE_WINDOW)
        if held is None and counting:
            sent.count += 1
        return held


def assess(message: Message, known: Recipients, now: datetime) -> Attempted | Ready:
    """What an attempt comes to before any channel is tried: an outcome (forgotten, no details yet,
    no consent, no template, the person's preferences skip, defer or collect it), or ready to send."""
    contact = known.contacts.get(message.person_id)
    if contact is None and message.person_id in known.erased:
        return Attempted(message, Outcome("skipped", "the person asked to be forgotten"))
    if contact is None:
        if now - message.created_at > CONTACT_WAIT:
            return Attempted(message, Outcome("permanent_failure", "no contact details for this person"))
        return Attempted(message, waiting_for_contact(message.attempts, now))
    reason = contact.why_not_by(message.channel)
    if reason:
        return Attempted(message, Outcome("skipped", reason))
    template = known.templates[(message.message_type, message.channel, contact.language)]
    if isinstance(template, NotFound):
        return Attempted(message, Outcome("technical_failure", template.detail))
    subject, body = render(template, {**message.values, "display_name": contact.display_name})
    rendered = {"subject": subject, "body": body}
    decision = decide(
        known.preferences.get(contact.person_id),
        category=message.category,
        channel=message.channel,
        critical=message.critical,
        now=now,
    )
    if decision.action == "skip":
        return Attempted(message, Outcome("skipped", decision.reason))
    if decision.action == "defer":
        return Attempted(message, Outcome("deferred", decision.reason, decision.until))
    if decision.action == "digest":
        return Attempted(message, Outcome("digest_pending", decision.reason, decision.until), rendered)
    return Ready(contact, rendered)


def publish_outcome(tx: Transaction, attempted: Attempted, attempts: int) -> None:
    """The message's status change, as an event in the same transaction as its record (no recipient
    details: ids and status only), in the trace of the request that caused the message."""
    message, outcome = attempted.message, attempted.outcome
    token = set_current_trace(trace_of(message))
    try:
        tx.publish(
            MessageStatusChanged(
                message_id=message.id,
                about_event_id=message.event_id,
                about_event_type=message.event_type,
                message_type=message.message_type,
                channel=message.channel,
                status=outcome.status,
                reason=outcome.reason,
                attempts=attempts,
            ),
            subject=message.id,
            hub_id=message.hub_id,
        )
    finally:
        reset_current_trace(token)


def trace_of(message: Message) -> TraceContext:
    return TraceContext(message.trace_id, new_trace().span_id) if message.trace_id else new_trace()

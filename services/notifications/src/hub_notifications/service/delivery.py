"""Delivery (the worker): each due message is checked against consent and preferences, rendered and
sent; digests collect a person's messages into one email."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Protocol

from aiolimiter import AsyncLimiter

from hub_common.clock import Clock
from hub_common.contracts.notifications import MessageStatusChanged
from hub_common.logging import get_logger
from hub_common.tracing import TraceContext, new_trace, reset_current_trace, set_current_trace
from hub_common.uow import Transaction, UnitOfWork
from hub_notifications.adapters.contacts import ContactRepository
from hub_notifications.adapters.messages import MessageRepository
from hub_notifications.adapters.preferences import PreferencesRepository
from hub_notifications.domain.messages import (
    CONTACT_WAIT,
    RETRY_DELAYS,
    THROTTLE_WINDOW,
    DeliveryError,
    Message,
    Outcome,
    after_temporary_failure,
    throttled,
    waiting_for_contact,
)
from hub_notifications.domain.preferences import decide
from hub_notifications.domain.templates import render
from hub_notifications.service.templates import TemplateService

log = get_logger(__name__)

Rendered = dict[str, str]  # the subject and body a message went out with


class EmailSender(Protocol):
    async def send(self, *, to: str, subject: str, body: str, message_id: str, trace_id: str | None = None) -> None: ...


class SmsSender(Protocol):
    async def send(self, *, to: str, body: str, message_id: str) -> None: ...


class DeliveryService:
    def __init__(
        self,
        uow: UnitOfWork,
        messages: MessageRepository,
        contacts: ContactRepository,
        preferences: PreferencesRepository,
        templates: TemplateService,
        email: EmailSender,
        sms: SmsSender,
        *,
        clock: Clock,
        max_per_hour: int,
        rate_limits: Mapping[str, float],
    ) -> None:
        self.uow = uow
        self.messages = messages
        self.contacts = contacts
        self.preferences = preferences
        self.templates = templates
        self.email = email
        self.sms = sms
        self.clock = clock
        self.max_per_hour = max_per_hour
        # Per-channel sending rate of this worker (messages per second), so the mail server or SMS
        # provider is never flooded when a backlog is released.
        self.limiters = {channel: AsyncLimiter(rate, 1) for channel, rate in rate_limits.items() if rate > 0}

    async def deliver_due(self, limit: int = 200) -> int:
        """Attempt every message that is due, up to ``limit``; return how many were attempted."""
        return await self.messages.attempt_due(self._deliver, limit)

    async def _deliver(self, message: Message) -> None:
        # Deliver within the trace of the request that caused the event, so logs join up.
        trace_id = message.trace_id
        token = set_current_trace(TraceContext(trace_id, new_trace().span_id) if trace_id else new_trace())
        try:
            outcome, rendered = await self._attempt(message)
            await self._finish(message, outcome, rendered)
        finally:
            reset_current_trace(token)

    async def _attempt(self, message: Message) -> tuple[Outcome, Rendered | None]:
        now = self.clock()
        contact = await self.contacts.find(message.person_id)
        if contact is None and await self.contacts.erased_at(message.person_id):
            return Outcome("skipped", "the person asked to be forgotten"), None
        if contact is None:
            if now - message.created_at > CONTACT_WAIT:
                return Outcome("permanent_failure", "no contact details for this person"), None
            return waiting_for_contact(message.attempts, now), None
        reason = contact.why_not_by(message.channel)
        if reason:
            return Outcome("skipped", reason), None
        template = await self.templates.text_for(message.message_type, message.channel, contact.language)
        subject, body = render(template, {**message.values, "display_name": contact.display_name})
        rendered = {"subject": subject, "body": body}
        decision = decide(
            await self.preferences.find(contact.person_id),
            category=message.category,
            channel=message.channel,
            critical=message.critical,
            now=now,
        )
        if decision.action == "skip":
            return Outcome("skipped", decision.reason), None
        if decision.action == "defer":
            return Outcome("deferred", decision.reason, decision.until), None
        if decision.action == "digest":
            return Outcome("digest_pending", decision.reason, decision.until), rendered
        if not message.critical and message.channel != "inapp":
            recent = await self.messages.delivered_since(contact.person_id, message.channel, now - THROTTLE_WINDOW)
            held_back = throttled(recent, self.max_per_hour, now)
            if held_back:
                return held_back, None
        limiter = self.limiters.get(message.channel)
        if limiter is not None:
            await limiter.acquire()
        try:
            if message.channel == "email":
                await self.email.send(
                    to=contact.email, subject=subject, body=body, message_id=message.id, trace_id=message.trace_id
                )
            elif message.channel == "sms":
                await self.sms.send(to=contact.phone, body=body, message_id=message.id)
        except DeliveryError as exc:
            if exc.permanent:
                return Outcome("permanent_failure", exc.reason), None
            return after_temporary_failure(message.attempts, now, exc.reason), None
        except Exception as exc:
            log.exception("message could not be sent", message_id=message.id)
            return Outcome("technical_failure", repr(exc)), None
        # An in-app message is delivered by being stored with its rendered text: that is the inbox.
        return Outcome("delivered"), rendered

    async def send_digests(self) -> int:
        """One email per person whose digest is due, listing every message collected for it."""
        now = self.clock()
        sent = 0
        for person_id in await self.messages.due_digest_people(now):
            batch = await self.messages.claim_digest(person_id, uuid.uuid4().hex, now)
            if not batch:
                continue
            contact = await self.contacts.find(person_id)
            outcome = Outcome("delivered")
            if contact is None or not contact.email:
                outcome = Outcome("skipped", "no email address for the digest")
            else:
                subject = f"Your community hub update: {len(batch)} message{'s' if len(batch) > 1 else ''}"
                body = "\n\n".join(f"{m.subject or ''}\n{m.body or ''}" for m in batch)
                try:
                    await self.email.send(to=contact.email, subject=subject, body=body, message_id=batch[0].digest_id)
                    sent += 1
                except DeliveryError as exc:
                    outcome = (
                        Outcome("permanent_failure", exc.reason)
                        if exc.permanent
                        else Outcome("digest_pending", exc.reason, now + RETRY_DELAYS[1])  # retried shortly
                    )
            for message in batch:
                await self._finish(message, outcome, None)
        return sent

    async def _finish(self, message: Message, outcome: Outcome, rendered: Rendered | None) -> None:
        """Record the outcome and publish the status change, together."""

        async def work(tx: Transaction) -> None:
            await self.messages.finish(message.id, outcome, self.clock(), tx.session, rendered)
            tx.publish(
                MessageStatusChanged(
                    message_id=message.id,
                    about_event_id=message.event_id,
                    about_event_type=message.event_type,
                    message_type=message.message_type,
                    channel=message.channel,
                    status=outcome.status,
                    reason=outcome.reason,
                    attempts=message.attempts,
                ),
                subject=message.id,
                hub_id=message.hub_id,
            )

        await self.uow.run(work)
        log.info("message attempt", message_id=message.id, status=outcome.status, reason=outcome.reason)

"""Delivery (the worker): due messages are claimed a batch at a time, checked against consent,
preferences and the throttle, rendered and sent concurrently (each channel's sender bounds how many
at once), and recorded as they finish; digests collect a person's messages into one email.

What a batch needs of its recipients (contacts, erasures, preferences, how many messages they were
sent this hour, templates) is read once per batch, not once per message."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from aiolimiter import AsyncLimiter

from hub_common.clock import Clock
from hub_common.issuer import IssuerRefused, IssuerUnavailable
from hub_common.logging import get_logger
from hub_common.metrics import WORK_STAGE_SECONDS
from hub_common.tracing import reset_current_trace, set_current_trace
from hub_common.uow import Transaction, UnitOfWork
from hub_notifications.adapters.contacts import ContactRepository
from hub_notifications.adapters.messages import Attempted, MessageRepository
from hub_notifications.adapters.sent_log import SentLog
from hub_notifications.domain.channels import hold
from hub_notifications.domain.messages import (
    RETRY_DELAYS,
    THROTTLE_WINDOW,
    THROTTLED_CHANNELS,
    DeliveryError,
    Message,
    Outcome,
    after_temporary_failure,
)
from hub_notifications.domain.plain_text import LOCAL, plain_datetime
from hub_notifications.service.channels import ChannelHealthService
from hub_notifications.service.handoff import Handoff
from hub_notifications.service.outcomes import GroupCommit
from hub_notifications.service.recipients import Ready, RecipientReader, Recipients, assess, publish_outcome, trace_of
from hub_notifications.service.sign_in_links import ISSUER, SignInLinks

log = get_logger(__name__)

CONTACT_SWEEP = timedelta(seconds=1)  # how often a worker looks for waiting messages whose contact arrived

_stage = WORK_STAGE_SECONDS.labels  # ("notifications", "messages", stage): where a batch's time goes


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
        recipients: RecipientReader,
        sent_log: SentLog,
        email: EmailSender,
        sms: SmsSender,
        channels: ChannelHealthService,
        sign_in_links: SignInLinks,
        *,
        clock: Clock,
        rate_limits: Mapping[str, float],
        batch_size: int = 50,
        handoff: Handoff | None = None,
    ) -> None:
        self.uow = uow
        self.messages = messages
        self.contacts = contacts
        self.recipients = recipients
        self.sent_log = sent_log
        self.email = email
        self.sms = sms
        self.channels = channels
        self.sign_in_links = sign_in_links
        self.clock = clock
        self.batch_size = batch_size
        self.handoff = handoff
        # Per-channel sending rate of this worker (messages per second), so the mail server or SMS
        # provider is never flooded when a backlog is released.
        self.limiters = {channel: AsyncLimiter(rate, 1) for channel, rate in rate_limits.items() if rate > 0}
        self._swept_at = datetime.min.replace(tzinfo=UTC)

    async def deliver_due(self, limit: int = 200) -> int:
        """Attempt every message that is due, up to ``limit``; return how many were attempted. What this
        worker's own consumer just planned goes first: it is the freshest work there is."""
        await self.channels.probe_due()  # a down channel's server, probed instead of its messages
        await self._wake_those_whose_details_arrived()
        attempted = 0
        while attempted < limit:
            # What was handed over meanwhile goes before each batch of the queue, not once a round: while
            # a released backlog drains, a round of four batches kept a new resident's acknowledgement
            # waiting ~10 s (a probe during the drain after a mail server outage).
            handed = await self._deliver_handed()
            queued = await self.messages.attempt_due_in_batches(
                self._deliver_batch, min(self.batch_size, max(limit - attempted - handed, 0)), self.batch_size
            )
            attempted += handed + queued
            if queued < self.batch_size and (self.handoff is None or len(self.handoff) == 0):
                break  # the queue held no more, and nothing new was handed over while it was read
        return attempted

    async def _deliver_handed(self) -> int:
        """Send what planning handed over (written claimed by this worker; see ``Handoff``)."""
        if self.handoff is None:
            return 0
        attempted = 0
        for handed in self.handoff.take():
            batch = handed.messages
            if self.handoff.stale(handed):  # its lease may have run out while it waited: keep only ours
                ours = await self.messages.still_ours([m.id for m in batch], handed.claim, self.clock())
                batch = [m for m in batch if m.id in ours]
            if not batch:
                continue
            attempted += len(batch)
            # One consumer batch may have planned more than a delivery batch: sent a delivery batch at
            # a time, as claims are, so no more than one batch is ever sent and not yet recorded.
            async with self.messages.leased([m.id for m in batch], handed.claim):
                for start in range(0, len(batch), self.batch_size):
                    await self._deliver_batch(batch[start : start + self.batch_size], handed.claim)
        return attempted

    async def _wake_those_whose_details_arrived(self) -> None:
        """A contact's arrival wakes the messages waiting for it, in the consumer's transaction; but one
        committed while another worker's batch planned a message for that person wakes nothing (neither
        transaction saw the other). Looked for here, at most once a second: those are due now."""
        now = self.clock()
        if now - self._swept_at < CONTACT_SWEEP:
            return
        self._swept_at = now
        waiting = await self.messages.people_waiting_for_contact(now)
        if waiting:
            arrived = await self.contacts.many(waiting)
            if arrived:
                await self.messages.wake_waiting_for(list(arrived), now)

    async def _deliver_batch(self, batch: list[Message], claim: str) -> None:
        started = time.perf_counter()
        known = await self.recipients.read(batch, self.clock())
        await self._reserve(batch, known)
        sending = time.perf_counter()
        _stage("notifications", "messages", "recipients").observe(sending - started)
        # Outcomes are recorded while the rest of the batch still sends ("record" overlaps "send").
        async with GroupCommit(lambda group: self._record(group, claim, known.decided)) as outcomes:

            async def deliver(message: Message) -> None:
                # Deliver within the trace of the request that caused the event, so logs join up.
                token = set_current_trace(trace_of(message))
                try:
                    outcomes.add(await self._attempt(message, known))
                finally:
                    reset_current_trace(token)

            await asyncio.gather(*(deliver(message) for message in batch))
            _stage("notifications", "messages", "send").observe(time.perf_counter() - sending)

    async def _reserve(self, batch: list[Message], known: Recipients) -> None:
        """The throttle, decided for the whole batch before anything is sent, with the sends it allows
        noted in the sent log in one transaction: two workers (or two batches of one) sending to the
        same person at once then conflict, and the one run again counts the other's sends, so the
        hour's limit holds exactly. Not for a channel whose server is down (nothing will be sent)."""
        now = self.clock()
        wanted = [
            m
            for m in batch
            if self.recipients.throttles(m) and m.person_id in known.contacts and not self.channels.is_down(m.channel)
        ]
        if not wanted:
            return

        async def work(tx: Transaction) -> dict[str, Outcome | None]:
            people = list(dict.fromkeys(m.person_id for m in wanted))
            sent = await self.sent_log.since(people, THROTTLED_CHANNELS, now - THROTTLE_WINDOW, tx.session)
            fresh = replace(known, sent=sent, decided={})
            decided = {m.id: self.recipients.held_back(m, fresh, now, counting=True) for m in wanted}
            sends = [(m.person_id, m.channel, now) for m in wanted if decided[m.id] is None]
            await self.sent_log.record(sends, tx.session)
            return decided

        known.decided = await self.uow.run(work)

    async def _attempt(self, message: Message, known: Recipients) -> Attempted:
        now = self.clock()
        if self.sign_in_links.needs(message):
            signed = await self._signed(message, now)
            if isinstance(signed, Attempted):
                return signed
            message = signed
        assessed = assess(message, known, now)
        if not isinstance(assessed, Ready):
            return assessed
        contact, rendered = assessed.contact, assessed.rendered
        if message.channel == "inapp":  # delivered by being stored with its text: that is the inbox
            return Attempted(message, Outcome("delivered"), rendered)
        subject, body = rendered["subject"], rendered["body"]
        if self.channels.is_down(message.channel):
            return Attempted(message, hold(message.channel, now))  # no attempt spent on it
        held_back = self.recipients.held_back(message, known, now, counting=True)
        if held_back:
            return Attempted(message, held_back, rendered)  # the digest it joins lists its text
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
                return Attempted(message, Outcome("permanent_failure", exc.reason))
            if exc.unreachable:
                await self.channels.could_not_reach(message.channel, exc.reason)
                if self.channels.is_down(message.channel):
                    return Attempted(message, hold(message.channel, self.clock(), tried=True))
            return Attempted(message, after_temporary_failure(message.attempts, now, exc.reason))
        except Exception as exc:
            log.exception("message could not be sent", message_id=message.id)
            return Attempted(message, Outcome("technical_failure", repr(exc)))
        await self.channels.reached(message.channel)
        return Attempted(message, Outcome("delivered"), rendered)

    async def _signed(self, message: Message, now: datetime) -> Message | Attempted:
        """The message with its link's token, or what it becomes without one. The issuer is kept
        like a channel's server: while it is away (or while the message's own channel is), no token
        is asked and the message waits for it, spending no attempt; a probe finds it back and
        releases them all at once (the backoff of minutes is only for a few failures in a row)."""
        for server in (message.channel, ISSUER):
            if self.channels.is_down(server):
                return Attempted(message, hold(server, now))
        try:
            signed = await self.sign_in_links.signed(message, now)
        except IssuerUnavailable as exc:
            await self.channels.could_not_reach(ISSUER, exc.detail)
            if self.channels.is_down(ISSUER):
                return Attempted(message, hold(ISSUER, self.clock()))
            return Attempted(message, after_temporary_failure(message.attempts, now, exc.detail))
        except IssuerRefused as exc:  # this client's credentials or rights are wrong: an operator's job
            return Attempted(message, Outcome("technical_failure", f"the token issuer refused: {exc}"))
        await self.channels.reached(ISSUER)
        return signed

    async def send_digests(self) -> int:
        """One email per person whose digest is due, listing every message collected for it."""
        now = self.clock()
        sent = 0
        if self.channels.is_down("email"):
            return 0  # they wait for the mail server with the other emails
        for person_id in await self.messages.due_digest_people(now):
            digest_id = uuid.uuid4().hex
            batch = await self.messages.claim_digest(person_id, digest_id, now)
            if not batch:
                continue
            async with self.messages.leased([m.id for m in batch], digest_id):
                contact = await self.contacts.find(person_id)
                outcome = Outcome("delivered")
                if contact is None or not contact.email:
                    outcome = Outcome("skipped", "no email address for the digest")
                else:
                    subject = digest_subject(batch, now)
                    body = "\n\n".join(f"{m.subject or ''}\n{m.body or ''}" for m in batch)
                    try:
                        await self.email.send(to=contact.email, subject=subject, body=body, message_id=digest_id)
                        sent += 1
                    except DeliveryError as exc:
                        outcome = (
                            Outcome("permanent_failure", exc.reason)
                            if exc.permanent
                            else Outcome("digest_pending", exc.reason, now + RETRY_DELAYS[1])  # retried shortly
                        )
                await self._record([Attempted(m, outcome) for m in batch], digest_id)
        return sent

    async def _record(
        self, attempts: list[Attempted], claim: str, decided: Mapping[str, Outcome | None] | None = None
    ) -> None:
        """Record the outcomes and publish their status changes, together, in one transaction.
        ``decided``: the throttle's decisions for the batch (see ``_reserve``)."""
        decided = decided or {}

        async def work(tx: Transaction) -> None:
            now = self.clock()
            await self.messages.finish_many(attempts, claim, now, tx.session)
            # Sends the throttle allowed are in the sent log already; the others (critical ones,
            # digests) are noted now, since they count towards the limit of what is not critical.
            sends = [
                (a.message.person_id, a.message.channel, now)
                for a in attempts
                if a.outcome.status == "delivered" and not (a.message.id in decided and decided[a.message.id] is None)
            ]
            await self.sent_log.record([s for s in sends if s[1] in THROTTLED_CHANNELS], tx.session)
            for attempted in attempts:
                tried = attempted.message.attempts
                publish_outcome(tx, attempted, tried if attempted.outcome.attempted else tried - 1)

        started = time.perf_counter()
        await self.uow.run(work)
        _stage("notifications", "messages", "record").observe(time.perf_counter() - started)
        for attempted in attempts:
            outcome = attempted.outcome
            log.info("message attempt", message_id=attempted.message.id, status=outcome.status, reason=outcome.reason)


def digest_subject(batch: list[Message], now: datetime) -> str:
    """e.g. 'Your community hub update: 37 messages since 10:05' (local time; a date if not today)."""
    first = min(m.created_at for m in batch).astimezone(LOCAL)
    since = f"{first:%H:%M}" if first.date() == now.astimezone(LOCAL).date() else plain_datetime(first)
    return f"Your community hub update: {len(batch)} message{'s' if len(batch) > 1 else ''} since {since}"

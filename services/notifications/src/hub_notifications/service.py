"""Use cases of the notifications service: plan messages from events, deliver them, manage templates."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from aiolimiter import AsyncLimiter
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from hub_common.auth import Principal, issue_token
from hub_common.concurrency import check_version
from hub_common.contracts import all_contracts, contract_for
from hub_common.contracts.notifications import MessageStatusChanged
from hub_common.envelope import Envelope
from hub_common.errors import NotFound, PreconditionFailed, RuleViolation
from hub_common.logging import get_logger
from hub_common.tracing import TraceContext, current_trace, new_trace, reset_current_trace, set_current_trace
from hub_common.uow import Transaction, UnitOfWork
from hub_notifications.adapters.contact_book import ContactBook
from hub_notifications.adapters.hub_staff import HubStaff
from hub_notifications.adapters.issue_followers import IssueFollowers
from hub_notifications.adapters.messages import MessageStore
from hub_notifications.adapters.preferences import PreferenceStore
from hub_notifications.adapters.rule_settings import RuleSettings
from hub_notifications.adapters.templates import TemplateStore
from hub_notifications.adapters.webhooks import DeliveryStore, SubscriptionStore
from hub_notifications.domain.contacts import Contact
from hub_notifications.domain.messages import (
    RETRY_DELAYS,
    THROTTLE_WINDOW,
    DeliveryError,
    Outcome,
    after_temporary_failure,
    message_id,
    throttled,
    waiting_for_contact,
)
from hub_notifications.domain.plain_text import plain, plain_status
from hub_notifications.domain.preferences import decide
from hub_notifications.domain.rules import (
    CANCELS,
    FOLLOWERS,
    HUB_STAFF,
    RECIPIENT_FIELDS,
    RULES,
    TEXT_SUFFIX,
    Rule,
    rules_for,
)
from hub_notifications.domain.templates import Template, TemplateError, check_fields, render
from hub_notifications.domain.webhooks import (
    OLD_SECRET_GRACE_HOURS,
    PAUSE_AFTER_FAILURES,
    WebhookUrlError,
    check_url,
    matches,
    new_secret,
)

log = get_logger(__name__)

# Contact details travel on hub.contacts, which is not ordered against the event topics: wait this
# long for a recipient's details to arrive before giving up on a message.
CONTACT_WAIT = timedelta(minutes=15)


class EmailSender(Protocol):
    async def send(self, *, to: str, subject: str, body: str, message_id: str, trace_id: str | None = None) -> None: ...


class SmsSender(Protocol):
    async def send(self, *, to: str, body: str, message_id: str) -> None: ...


def available_fields(event_type: str) -> set[str]:
    """The personalisation fields a message about ``event_type`` can use (dates also in plain words)."""
    fields = contract_for(event_type).model.model_fields
    text = {f"{name}{TEXT_SUFFIX}" for name, f in fields.items() if _is_date(f.annotation) or name == "status"}
    return set(fields) | text | set(RECIPIENT_FIELDS)


def fields_for_message_type(message_type: str) -> set[str]:
    """What every event that sends this message type can supply (and {link} where the rule has one)."""
    rules = [r for r in RULES if r.message_type == message_type]
    if not rules:
        raise NotFound(f"there is no message type {message_type!r}")
    links = {"link"} if all(r.link for r in rules) else set()
    return set.intersection(*(available_fields(r.event_type) for r in rules)) | links


def _is_date(annotation: object) -> bool:
    return any(t in (date, datetime) for t in (annotation, *getattr(annotation, "__args__", ())))


def with_plain_text(data: dict[str, Any]) -> dict[str, Any]:
    """The event data plus a plain-words version of every date and date-time in it."""
    values = dict(data)
    for name, value in data.items():
        words = plain_status(value) if name == "status" else plain(value)
        if words:
            values[f"{name}{TEXT_SUFFIX}"] = words
    return values


def reminder_keys(rule: Rule, data: dict[str, Any]) -> list[str]:
    """What can call a reminder off: its own key and the keys of what contains it (a shift)."""
    if rule.reminder is None:
        return []
    keys = {rule.reminder.key_field} | {key for _, key in CANCELS.values()}
    return sorted(f"{key}:{data[key]}" for key in keys if data.get(key))


def audience_of(rule: Rule, data: dict[str, Any]) -> list[str]:
    """The people a rule addresses: one id field, or a list of ids (e.g. everyone on a cancelled shift)."""
    value = data.get(rule.audience)
    people = value if isinstance(value, list) else [value]
    return [p for p in dict.fromkeys(people) if isinstance(p, str) and p]


def rule_for_message_type(message_type: str) -> Rule:
    for rule in RULES:
        if rule.message_type == message_type:
            return rule
    raise NotFound(f"there is no message type {message_type!r}")


def channels_for_message_type(message_type: str) -> set[str]:
    return {c for r in RULES if r.message_type == message_type for c in r.channels}


class NotificationService:
    def __init__(
        self,
        uow: UnitOfWork,
        messages: MessageStore,
        contacts: ContactBook,
        templates: TemplateStore,
        preferences: PreferenceStore,
        rule_settings: RuleSettings,
        hub_staff: HubStaff,
        followers: IssueFollowers,
        email: EmailSender,
        sms: SmsSender,
        max_per_hour: int = 10,
        rate_limits: dict[str, float] | None = None,
        public_base_url: str = "",
        auth_secret: str = "",
    ) -> None:
        self.uow = uow
        self.messages = messages
        self.contacts = contacts
        self.templates = templates
        self.preferences = preferences
        self.rule_settings = rule_settings
        self.hub_staff = hub_staff
        self.followers = followers
        self.email = email
        self.sms = sms
        self.max_per_hour = max_per_hour
        self.public_base_url = public_base_url.rstrip("/")
        self.auth_secret = auth_secret
        # Per-channel sending rate of this worker (messages per second), so the mail server or SMS
        # provider is never flooded when a backlog is released.
        self.limiters = {channel: AsyncLimiter(rate, 1) for channel, rate in (rate_limits or {}).items() if rate > 0}

    # -- planning (runs inside the consumer's transaction) ----------------------------------------

    async def plan(self, event: Envelope, tx: Transaction) -> int:
        """Create the messages an event calls for; a repeated event creates nothing new."""
        data = event.data.model_dump(mode="json")
        hub_id = event.hub_id or data.get("hub_id")
        await self._track_followers(event.type, data, tx)
        if event.type in CANCELS:
            field, key = CANCELS[event.type]
            if data.get(field):
                await self.messages.call_off_reminders(f"{key}:{data[field]}", datetime.now(UTC), tx.session)
        switched_off = await self.rule_settings.disabled(hub_id, tx.session)
        created = 0
        for rule in rules_for(event.type):
            if rule.message_type in switched_off:
                continue  # this hub's staff turned the rule off
            if rule.audience == HUB_STAFF:
                people = await self.hub_staff.of_hub(hub_id, tx.session)
            elif rule.audience == FOLLOWERS:
                people = await self.followers.of(data["issue_id"], tx.session)
            else:
                people = audience_of(rule, data)
            for person_id in people:
                if not await self.contacts.erased_at(person_id, tx.session):  # forgotten people hear nothing
                    created += await self._plan_for(event, rule, person_id, hub_id, data, tx)
        return created

    def _link(self, rule: Rule, person_id: str, data: dict[str, Any]) -> dict[str, str]:
        """The rule's web-app link, signed in as the recipient when the rule asks for it."""
        if rule.link is None:
            return {}
        link = self.public_base_url + rule.link.format_map(data)
        if (rule.sign_in_until or rule.sign_in_for) and self.auth_secret:
            if rule.sign_in_until:
                until = datetime.fromisoformat(data[rule.sign_in_until])
            else:
                until = datetime.now(UTC) + rule.sign_in_for
            token = issue_token(
                self.auth_secret,
                sub=data[rule.sign_in_as] if rule.sign_in_as else person_id,
                role="resident",
                hubs=[data["hub_id"]] if data.get("hub_id") else [],
                ttl=max(until - datetime.now(UTC), timedelta(hours=1)),
            )
            link += f"?token={token}"
        return {"link": link}

    async def _track_followers(self, event_type: str, data: dict[str, Any], tx: Transaction) -> None:
        """Reporters and supporters follow an issue; when it is merged they follow the original too."""
        if event_type == "hub.issues.issue.reported.v1" and data.get("reporter_id"):
            await self.followers.follow(data["issue_id"], [data["reporter_id"]], tx.session)
        elif event_type == "hub.issues.issue.supported.v1":
            await self.followers.follow(data["issue_id"], [data["supporter_id"]], tx.session)
        elif event_type == "hub.issues.issue.duplicate_merged.v1":
            moving = await self.followers.of(data["issue_id"], tx.session)
            await self.followers.follow(data["duplicate_of"], moving, tx.session)

    async def _plan_for(
        self, event: Envelope, rule: Rule, person_id: str, hub_id: str | None, data: dict[str, Any], tx: Transaction
    ) -> int:
        send_at = datetime.now(UTC)
        if rule.reminder is not None:
            when = datetime.fromisoformat(data[rule.reminder.field])
            if when <= send_at:
                return 0  # it has already happened: nothing to remind of
            send_at = max(send_at, when - rule.reminder.before)
        created = 0
        for channel in rule.channels:
            doc = {
                "_id": message_id(event.source, event.id, person_id, channel, rule.message_type),
                "event_id": event.id,
                "event_source": event.source,
                "event_type": event.type,
                "hub_id": hub_id,
                "person_id": person_id,
                "channel": channel,
                "message_type": rule.message_type,
                "category": rule.category,
                "critical": rule.critical,
                "values": {**with_plain_text(data), **self._link(rule, person_id, data)},
                "status": "created",
                "attempts": 0,
                "created_at": event.time,
                "next_attempt_at": send_at,
                "reminder_keys": reminder_keys(rule, data),
                "trace_id": trace.trace_id if (trace := current_trace()) else None,
                "history": [{"status": "created", "at": datetime.now(UTC), "reason": None}],
                "read_at": None,
            }
            await self.messages.add_if_absent(doc, tx.session)
            created += 1
        return created

    async def alert_staff(self, principal: Principal, hub_id: str, display_name: str, email: str) -> None:
        """A staff member asks for their hub's alerts, by email and in the app."""
        principal.require_role("staff", "operator")
        principal.require_hub(hub_id)
        current = await self.contacts.get(principal.sub)
        contact = Contact(
            person_id=principal.sub,
            display_name=display_name,
            email=email,
            phone=current.phone if current else None,
            language=current.language if current else "en",
            hub_ids=tuple(sorted({*(current.hub_ids if current else ()), hub_id})),
            consented_channels=tuple(sorted({*(current.consented_channels if current else ()), "email"})),
            source="/hub/notifications",
            updated_at=datetime.now(UTC),
        )

        async def work(tx: Transaction) -> None:
            await self.contacts.save(contact, tx.session)
            await self.hub_staff.join(hub_id, principal.sub, tx.session)

        await self.uow.run(work)

    async def forget(self, person_id: str, tx: Transaction) -> None:
        await self.messages.cancel_pending_for(person_id, datetime.now(UTC), tx.session)
        await self.preferences.erase(person_id, tx.session)
        await self.followers.forget(person_id, tx.session)

    # -- delivery (the worker) ----------------------------------------------------------------

    async def deliver_due(self, limit: int = 200) -> int:
        """Attempt every message that is due, up to ``limit``; return how many were attempted."""
        return await self.messages.attempt_due(self._deliver, limit)

    async def _deliver(self, message: dict[str, Any]) -> None:
        # Deliver within the trace of the request that caused the event, so logs join up.
        trace_id = message.get("trace_id")
        token = set_current_trace(TraceContext(trace_id, new_trace().span_id) if trace_id else new_trace())
        try:
            outcome, rendered = await self._attempt(message)
            await self._finish(message, outcome, rendered)
        finally:
            reset_current_trace(token)

    async def _attempt(self, message: dict[str, Any]) -> tuple[Outcome, dict[str, str] | None]:
        now = datetime.now(UTC)
        contact = await self.contacts.get(message["person_id"])
        if contact is None and await self.contacts.erased_at(message["person_id"]):
            return Outcome("skipped", "the person asked to be forgotten"), None
        if contact is None:
            if now - message["created_at"] > CONTACT_WAIT:
                return Outcome("permanent_failure", "no contact details for this person"), None
            return waiting_for_contact(message["attempts"], now), None
        reason = self._why_not(message, contact)
        if reason:
            return Outcome("skipped", reason), None
        template = await self.templates.find(message["message_type"], message["channel"], contact.language)
        subject, body = render(template, {**message["values"], "display_name": contact.display_name})
        rendered = {"subject": subject, "body": body}
        decision = decide(
            await self.preferences.get(contact.person_id),
            category=message["category"],
            channel=message["channel"],
            critical=message.get("critical", False),
            now=now,
        )
        if decision.action == "skip":
            return Outcome("skipped", decision.reason), None
        if decision.action == "defer":
            return Outcome("deferred", decision.reason, decision.until), None
        if decision.action == "digest":
            return Outcome("digest_pending", decision.reason, decision.until), rendered
        if not message.get("critical") and message["channel"] != "inapp":
            recent = await self.messages.delivered_since(contact.person_id, message["channel"], now - THROTTLE_WINDOW)
            held_back = throttled(recent, self.max_per_hour, now)
            if held_back:
                return held_back, None
        limiter = self.limiters.get(message["channel"])
        if limiter is not None:
            await limiter.acquire()
        try:
            if message["channel"] == "email":
                await self.email.send(
                    to=contact.email,
                    subject=subject,
                    body=body,
                    message_id=message["_id"],
                    trace_id=message["trace_id"],
                )
            elif message["channel"] == "sms":
                await self.sms.send(to=contact.phone, body=body, message_id=message["_id"])
        except DeliveryError as exc:
            if exc.permanent:
                return Outcome("permanent_failure", exc.reason), None
            return after_temporary_failure(message["attempts"], now, exc.reason), None
        except Exception as exc:
            log.exception("message could not be sent", message_id=message["_id"])
            return Outcome("technical_failure", repr(exc)), None
        # An in-app message is delivered by being stored with its rendered text: that is the inbox.
        return Outcome("delivered"), rendered

    async def send_digests(self) -> int:
        """One email per person whose digest is due, listing every message collected for it."""
        now = datetime.now(UTC)
        sent = 0
        for person_id in await self.messages.due_digest_people(now):
            batch = await self.messages.claim_digest(person_id, uuid.uuid4().hex, now)
            if not batch:
                continue
            contact = await self.contacts.get(person_id)
            outcome = Outcome("delivered")
            if contact is None or not contact.email:
                outcome = Outcome("skipped", "no email address for the digest")
            else:
                subject = f"Your community hub update: {len(batch)} message{'s' if len(batch) > 1 else ''}"
                body = "\n\n".join(f"{m.get('subject', '')}\n{m.get('body', '')}" for m in batch)
                try:
                    await self.email.send(
                        to=contact.email, subject=subject, body=body, message_id=batch[0]["digest_id"]
                    )
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

    @staticmethod
    def _why_not(message: dict[str, Any], contact: Contact) -> str | None:
        channel = message["channel"]
        if channel == "inapp":
            return None
        if channel not in contact.consented_channels:
            return f"no consent to contact by {channel}"
        if channel == "email" and not contact.email:
            return "no email address"
        if channel == "sms" and not contact.phone:
            return "no phone number"
        return None

    async def _finish(self, message: dict[str, Any], outcome: Outcome, rendered: dict[str, str] | None) -> None:
        async def work(tx: Transaction) -> None:
            await self.messages.finish(message["_id"], outcome, datetime.now(UTC), tx.session, rendered)
            tx.publish(
                MessageStatusChanged(
                    message_id=message["_id"],
                    about_event_id=message["event_id"],
                    about_event_type=message["event_type"],
                    message_type=message["message_type"],
                    channel=message["channel"],
                    status=outcome.status,
                    reason=outcome.reason,
                    attempts=message["attempts"],
                ),
                subject=message["_id"],
                hub_id=message.get("hub_id"),
            )

        await self.uow.run(work)
        log.info("message attempt", message_id=message["_id"], status=outcome.status, reason=outcome.reason)

    # -- templates ----------------------------------------------------------------------------

    async def save_template(self, template: Template, expected_version: int | None) -> dict[str, Any]:
        available = fields_for_message_type(template.message_type)  # 404 for an unknown type
        if template.channel not in channels_for_message_type(template.message_type):
            raise RuleViolation(f"{template.message_type} is not sent by {template.channel}")
        try:
            check_fields(template, available)
        except TemplateError as exc:
            raise RuleViolation(str(exc), errors=[{"field": "body", "message": str(exc)}]) from None
        return await self.templates.save(template, expected_version)

    async def preview(self, template: Template, values: dict[str, Any]) -> tuple[str, str]:
        try:
            check_fields(template, fields_for_message_type(template.message_type))
        except TemplateError as exc:
            raise RuleViolation(str(exc)) from None
        return render(template, values)


class WebhookSender(Protocol):
    async def send(self, *, url: str, delivery_id: str, payload: str, secrets: list[str]) -> int: ...


class WebhookService:
    """Partner subscriptions: register, filter, sign and deliver events, pause endpoints that keep failing."""

    def __init__(
        self,
        uow: UnitOfWork,
        subscriptions: SubscriptionStore,
        deliveries: DeliveryStore,
        sender: WebhookSender,
        *,
        allow_private: bool,
    ) -> None:
        self.uow = uow
        self.subscriptions = subscriptions
        self.deliveries = deliveries
        self.sender = sender
        self.allow_private = allow_private

    # -- subscriptions ------------------------------------------------------------------------

    async def register(self, principal: Principal, fields: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """Create a subscription; returns it and its signing secret (shown only this once)."""
        fields = {"event_types": [], "hub_ids": [], "categories": [], "near": None, **fields}
        self._check(principal, fields)
        secret = new_secret()
        now = datetime.now(UTC)
        doc = {
            "_id": uuid.uuid4().hex,
            "partner": principal.sub,
            **fields,
            "status": "active",
            "consecutive_failures": 0,
            "secrets": [{"secret": secret, "created_at": now, "expires_at": None}],
            "created_at": now,
            "version": 1,
        }
        await self.subscriptions.insert(doc)
        return doc, secret

    async def get(self, principal: Principal, subscription_id: str) -> dict[str, Any]:
        doc = await self.subscriptions.get(subscription_id)
        if doc is None or (principal.role != "operator" and doc["partner"] != principal.sub):
            raise NotFound(f"no webhook subscription {subscription_id}")
        return doc

    async def update(
        self, principal: Principal, subscription_id: str, fields: dict[str, Any], expected_version: int | None
    ) -> dict[str, Any]:
        current = await self.get(principal, subscription_id)
        check_version(expected_version, current["version"])
        merged = {**{k: current.get(k) for k in fields}, **fields}
        self._check(principal, {**current, **merged})
        result = await self.subscriptions.update(subscription_id, merged, version=current["version"])
        if result is None:
            raise PreconditionFailed("the subscription changed meanwhile; read it again")
        return result

    async def rotate_secret(self, principal: Principal, subscription_id: str) -> tuple[dict[str, Any], str]:
        """A new secret signs from now on; the previous one keeps signing too for a grace period."""
        current = await self.get(principal, subscription_id)
        secret = new_secret()
        now = datetime.now(UTC)
        grace = now + timedelta(hours=OLD_SECRET_GRACE_HOURS)
        kept = [
            {**s, "expires_at": s["expires_at"] or grace}
            for s in current["secrets"]
            if s["expires_at"] is None or s["expires_at"] > now
        ]
        doc = await self.subscriptions.update(
            subscription_id, {"secrets": [{"secret": secret, "created_at": now, "expires_at": None}, *kept]}
        )
        return doc, secret

    async def resume(self, principal: Principal, subscription_id: str) -> dict[str, Any]:
        await self.get(principal, subscription_id)
        resumed = await self.subscriptions.update(subscription_id, {"status": "active", "consecutive_failures": 0})
        await self.deliveries.release_held(subscription_id, datetime.now(UTC))  # the queue goes out again
        return resumed

    def _check(self, principal: Principal, fields: dict[str, Any]) -> None:
        try:
            check_url(fields["url"], allow_private=self.allow_private)
        except WebhookUrlError as exc:
            raise RuleViolation(str(exc), errors=[{"field": "url", "message": str(exc)}]) from None
        unknown = [t for t in fields.get("event_types") or () if t not in public_event_types()]
        if unknown:
            raise RuleViolation(f"not public event types: {', '.join(unknown)}")
        if principal.role != "operator":
            for hub_id in fields.get("hub_ids") or ():
                principal.require_hub(hub_id)

    # -- planning and delivery ----------------------------------------------------------------

    async def plan(self, event: Envelope, tx: Transaction) -> int:
        """Queue a signed delivery for every subscription the event matches (once per event)."""
        data = event.data.model_dump(mode="json")
        payload: str | None = None
        planned = 0
        for sub in await self.subscriptions.candidates(event.type, tx.session):
            if not matches(sub, event.type, event.hub_id or data.get("hub_id"), data):
                continue
            payload = payload or structured_cloudevent(event, data)
            now = datetime.now(UTC)
            await self.deliveries.add_if_absent(
                {
                    "_id": message_id(event.source, event.id, sub.id, "webhook"),
                    "subscription_id": sub.id,
                    "event_id": event.id,
                    "event_type": event.type,
                    "payload": payload,
                    "status": "created",
                    "attempts": 0,
                    "created_at": now,
                    "next_attempt_at": now,
                    "history": [],
                },
                tx.session,
            )
            planned += 1
        return planned

    async def deliver_due(self, limit: int = 200) -> int:
        return await self.deliveries.attempt_due(self._attempt, limit)

    async def _attempt(self, delivery: dict[str, Any]) -> None:
        now = datetime.now(UTC)
        sub_doc = await self.subscriptions.get(delivery["subscription_id"])
        if sub_doc is not None and sub_doc["status"] == "paused":
            await self.deliveries.hold_pending(sub_doc["_id"], now)
            return
        if sub_doc is None or sub_doc["status"] != "active":
            await self.deliveries.finish(
                delivery["_id"], Outcome("skipped", "the subscription is not active"), now, None
            )
            return
        http_status = None
        try:
            secrets = await self.subscriptions.signing_secrets(sub_doc["_id"])
            http_status = await self.sender.send(
                url=sub_doc["url"], delivery_id=delivery["_id"], payload=delivery["payload"], secrets=secrets
            )
            outcome = Outcome("delivered")
        except DeliveryError as exc:
            outcome = (
                Outcome("permanent_failure", exc.reason)
                if exc.permanent
                else after_temporary_failure(delivery["attempts"], now, exc.reason)
            )
        await self.deliveries.finish(delivery["_id"], outcome, now, http_status)
        paused = await self.subscriptions.record_result(
            sub_doc["_id"], outcome.status == "delivered", PAUSE_AFTER_FAILURES
        )
        if paused:
            await self.deliveries.hold_pending(sub_doc["_id"], now)
            log.warning("webhook subscription paused after repeated failures", subscription_id=sub_doc["_id"])


def public_event_types() -> set[str]:
    """Every type on the other services' public events topics: what partners may subscribe to here."""
    return {c.type for c in all_contracts() if c.topic.endswith(".events") and c.producer != "notifications"}


def structured_cloudevent(event: Envelope, data: dict[str, Any]) -> str:
    """The event as a structured-mode CloudEvent (JSON), via the official SDK."""
    attributes: dict[str, Any] = {
        "specversion": "1.0",
        "id": event.id,
        "source": event.source,
        "type": event.type,
        "time": event.time,
        "subject": event.subject,
        "datacontenttype": "application/json",
    }
    if event.hub_id:
        attributes["hubid"] = event.hub_id
    if event.traceparent:
        attributes["traceparent"] = event.traceparent
    return JSONFormat().write(CloudEvent(attributes, data)).decode()

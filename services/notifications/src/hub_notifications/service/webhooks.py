"""Partner webhooks: register, filter, sign and deliver events, pause endpoints that keep failing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from pydantic import ValidationError

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts import all_contracts
from hub_common.envelope import Envelope
from hub_common.errors import Forbidden, NotFound, PreconditionFailed, RuleViolation
from hub_common.http import PageQuery
from hub_common.logging import get_logger
from hub_common.partner_grants import PartnerGrantRepository
from hub_common.uow import Transaction
from hub_notifications.adapters.deliveries import DeliveryRepository
from hub_notifications.adapters.subscriptions import SubscriptionRepository
from hub_notifications.domain.messages import DeliveryError, Outcome, after_temporary_failure, message_id
from hub_notifications.domain.webhooks import (
    PAUSE_AFTER_FAILURES,
    Delivery,
    SigningSecret,
    Subscription,
    WebhookUrlError,
    check_url,
    matches,
    new_secret,
)

log = get_logger(__name__)


class WebhookSender(Protocol):
    async def send(self, *, url: str, delivery_id: str, payload: str, secrets: list[str]) -> int: ...


def public_event_types() -> set[str]:
    """Every type on the other services' public events topics: what partners may subscribe to here
    (not the partner registry's own events: other partners' grants are no partner's business)."""
    return {
        c.type
        for c in all_contracts()
        if c.topic.endswith(".events") and c.producer not in ("notifications", "identity")
    }


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


class WebhookService:
    def __init__(
        self,
        subscriptions: SubscriptionRepository,
        deliveries: DeliveryRepository,
        sender: WebhookSender,
        grants: PartnerGrantRepository,
        *,
        clock: Clock,
        allow_private: bool,
    ) -> None:
        self.grants = grants  # the partner registry's grants, as hub.identity.events tell them
        self.subscriptions = subscriptions
        self.deliveries = deliveries
        self.sender = sender
        self.clock = clock
        self.allow_private = allow_private

    # -- subscriptions ------------------------------------------------------------------------

    async def register(self, caller: Principal, fields: Mapping[str, Any]) -> tuple[Subscription, str]:
        """Create a subscription from its fields (url, filters, description); returns it and its
        signing secret (shown only this once)."""
        secret, now = new_secret(), self.clock()
        await self._check_granted(caller, fields.get("event_types") or ())
        subscription = self._valid(
            caller,
            {
                **fields,
                "id": uuid.uuid4().hex,
                "partner": caller.sub,
                "secrets": [SigningSecret(secret=secret, created_at=now)],
                "created_at": now,
            },
        )
        await self.subscriptions.add(subscription)
        return subscription, secret

    async def get(self, caller: Principal, subscription_id: str) -> Subscription:
        """A subscription its partner (or an operator) may see; 404 for anyone else's."""
        subscription = await self.subscriptions.find(subscription_id)
        if subscription is None or (caller.role != "operator" and subscription.partner != caller.sub):
            raise NotFound(f"no webhook subscription {subscription_id}")
        return subscription

    async def update(
        self, caller: Principal, subscription_id: str, changes: Mapping[str, Any], expected_version: int | None
    ) -> Subscription:
        """Change the endpoint or its filters (the fields given; the rest stay)."""
        current = await self.get(caller, subscription_id)
        check_version(expected_version, current.version)
        changed = self._valid(caller, {**current.model_dump(), **changes})
        await self._check_granted(caller, changed.event_types)
        saved = await self.subscriptions.save_changes(current, changed, check_version=True)
        if saved is None:
            raise PreconditionFailed("the subscription changed meanwhile; read it again")
        return saved

    async def rotate_secret(self, caller: Principal, subscription_id: str) -> tuple[Subscription, str]:
        """A new secret signs from now on; the previous one keeps signing too for a grace period."""
        current = await self.get(caller, subscription_id)
        secret = new_secret()
        rotated = current.with_new_secret(secret, self.clock())
        return await self._save(current, rotated), secret

    async def resume(self, caller: Principal, subscription_id: str) -> Subscription:
        current = await self.get(caller, subscription_id)
        resumed = await self._save(current, current.resumed())
        await self.deliveries.release_held(subscription_id, self.clock())  # the queue goes out again
        return resumed

    async def of_caller(self, caller: Principal, paging: PageQuery) -> tuple[list[Subscription], str | None]:
        """A partner's own subscriptions; an operator sees everyone's."""
        return await self.subscriptions.of_partner(None if caller.role == "operator" else caller.sub, paging)

    async def paused_for_hub(self, hub_id: str, paging: PageQuery) -> tuple[list[Subscription], str | None]:
        return await self.subscriptions.paused_for_hub(hub_id, paging)

    async def deliveries_of(
        self, caller: Principal, subscription_id: str, paging: PageQuery
    ) -> tuple[list[Delivery], str | None]:
        await self.get(caller, subscription_id)
        return await self.deliveries.log(subscription_id, paging)

    async def redeliver(self, caller: Principal, subscription_id: str, delivery_id: str) -> None:
        await self.get(caller, subscription_id)
        if not await self.deliveries.redeliver(delivery_id, self.clock()):
            raise NotFound(f"no finished delivery {delivery_id} to send again")

    async def _save(self, current: Subscription, changed: Subscription) -> Subscription:
        saved = await self.subscriptions.save_changes(current, changed, check_version=False)
        if saved is None:
            raise NotFound(f"no webhook subscription {current.id}")
        return saved

    async def _check_granted(self, caller: Principal, event_types: Sequence[str]) -> None:
        """A registered partner subscribes only to the types the registry grants it (all of them must
        be named: "every type" would outgrow its grants). A partner the registry has not told us of
        yet (or a development token) is held to the public types only, as before the registry."""
        if caller.role != "partner":
            return
        grant = await self.grants.find(caller.sub)
        if grant is None:
            return
        if not grant.active:
            raise Forbidden("this partner has been revoked")
        if not event_types:
            raise RuleViolation("name the event types: a registered partner subscribes to the types it is granted")
        missing = sorted(set(event_types) - set(grant.consumes))
        if missing:
            raise Forbidden(f"the partner registry does not grant you: {', '.join(missing)}")

    async def partner_revoked(self, partner_id: str, tx: Transaction) -> int:
        """The registry revoked a partner: its subscriptions are paused (deliveries held, nothing
        sent); an operator resumes them if the partner returns. How many were paused."""
        return await self.subscriptions.pause_partner(partner_id, self.clock(), tx.session)

    def _valid(self, caller: Principal, fields: Mapping[str, Any]) -> Subscription:
        """The subscription these fields describe, if its URL is allowed, its types are public and its
        hubs are the caller's."""
        try:
            check_url(fields["url"], allow_private=self.allow_private)
        except WebhookUrlError as exc:
            raise RuleViolation(str(exc), errors=[{"field": "url", "message": str(exc)}]) from None
        unknown = [t for t in fields.get("event_types") or () if t not in public_event_types()]
        if unknown:
            raise RuleViolation(f"not public event types: {', '.join(unknown)}")
        if caller.role != "operator":
            for hub_id in fields.get("hub_ids") or ():
                caller.require_hub(hub_id)
        try:
            return Subscription.model_validate(fields)
        except ValidationError as exc:
            raise RuleViolation(f"not a valid subscription: {exc}") from None

    # -- planning and delivery ----------------------------------------------------------------

    async def plan(self, event: Envelope, tx: Transaction) -> int:
        """Queue a signed delivery for every subscription the event matches (once per event)."""
        data = event.data.model_dump(mode="json")
        payload: str | None = None
        planned = 0
        # Read once per event type and batch of events (subscriptions change through the API only).
        candidates = await tx.memo(
            ("webhook-candidates", event.type), lambda: self.subscriptions.candidates(event.type, tx.session)
        )
        for sub in candidates:
            if not matches(sub, event.type, event.hub_id or data.get("hub_id"), data):
                continue
            partner = sub.partner
            grant = await tx.memo(("partner-grant", partner), lambda p=partner: self.grants.find(p, tx.session))
            if grant is not None and (not grant.active or event.type not in grant.consumes):
                continue  # the registry withdrew this type (or the partner): its webhook no longer carries it
            payload = payload or structured_cloudevent(event, data)
            now = self.clock()
            delivery = Delivery(
                id=message_id(event.source, event.id, sub.id, "webhook"),
                subscription_id=sub.id,
                event_id=event.id,
                event_type=event.type,
                payload=payload,
                status="created",
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
            self.deliveries.add_if_absent(delivery, tx)
            planned += 1
        return planned

    async def deliver_due(self, limit: int = 200) -> int:
        return await self.deliveries.attempt_due(self._attempt, limit)

    async def _attempt(self, delivery: Delivery) -> None:
        now = self.clock()
        sub = await self.subscriptions.find(delivery.subscription_id)
        if sub is not None and sub.status == "paused":
            await self.deliveries.hold_pending(sub.id, now)
            return
        if sub is None or sub.status != "active":
            await self.deliveries.finish(delivery.id, Outcome("skipped", "the subscription is not active"), now, None)
            return
        http_status = None
        try:
            http_status = await self.sender.send(
                url=sub.url, delivery_id=delivery.id, payload=delivery.payload, secrets=sub.signing_secrets(now)
            )
            outcome = Outcome("delivered")
        except DeliveryError as exc:
            outcome = (
                Outcome("permanent_failure", exc.reason)
                if exc.permanent
                else after_temporary_failure(delivery.attempts, now, exc.reason)
            )
        await self.deliveries.finish(delivery.id, outcome, now, http_status)
        paused = await self.subscriptions.record_result(
            sub.id, outcome.status == "delivered", PAUSE_AFTER_FAILURES, now
        )
        if paused:
            await self.deliveries.hold_pending(sub.id, now)
            log.warning("webhook subscription paused after repeated failures", subscription_id=sub.id)

"""Webhook planning and delivery on the real database to a real local HTTP endpoint."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from notifications_testkit import issue_reported
from standardwebhooks.webhooks import Webhook

from hub_common.auth import Principal
from hub_common.contracts.issues import IssueReported
from hub_common.envelope import Envelope
from hub_notifications.__main__ import DEFINITION
from hub_notifications.domain.webhooks import PAUSE_AFTER_FAILURES

PARTNER = Principal(sub="riverside-housing", role="partner", hubs=("hub-northfield",))


async def plan(ctx, event: Envelope) -> int:
    return await ctx.uow.run(lambda tx: ctx.components.use_cases.webhooks.plan(event, tx))


async def test_a_matching_event_is_posted_once_signed_as_a_structured_cloudevent(
    service_context, http_receiver
) -> None:
    ctx = await service_context(DEFINITION, webhook_allow_private=True)
    service = ctx.components.use_cases.webhooks
    with http_receiver() as endpoint:
        sub, secret = await service.register(PARTNER, {"url": endpoint.url, "categories": ["litter"]})
        litter, graffiti = issue_reported("I-1"), issue_reported("I-2", service_code="graffiti")
        assert await plan(ctx, litter) == 1
        assert await plan(ctx, litter) == 1  # the same event again plans the same delivery
        assert await plan(ctx, graffiti) == 0  # filtered out
        assert await service.deliver_due() == 1
        assert await service.deliver_due() == 0

        [(headers, body)] = endpoint.requests
        assert headers["content-type"] == "application/cloudevents+json"
        event = Webhook(secret).verify(body, headers)
        assert event["id"] == litter.id and event["type"] == IssueReported.event_type
        assert event["source"] == "/hub/issues" and event["data"]["issue_id"] == "I-1"
        log = await service.deliveries.collection.find({"subscription_id": sub.id}).to_list()
        assert [d["status"] for d in log] == ["delivered"]


async def test_after_rotation_both_secrets_verify_during_the_grace_period(service_context, http_receiver) -> None:
    ctx = await service_context(DEFINITION, webhook_allow_private=True)
    service = ctx.components.use_cases.webhooks
    with http_receiver() as endpoint:
        sub, old_secret = await service.register(PARTNER, {"url": endpoint.url})
        _, new_secret = await service.rotate_secret(PARTNER, sub.id)
        await plan(ctx, issue_reported("I-3"))
        await service.deliver_due()
        [(headers, body)] = endpoint.requests
        assert len(headers["webhook-signature"].split(" ")) == 2
        assert Webhook(old_secret).verify(body, headers) and Webhook(new_secret).verify(body, headers)


async def test_an_endpoint_that_keeps_failing_is_paused_and_its_queue_waits_for_resume(
    service_context, http_receiver
) -> None:
    ctx = await service_context(DEFINITION, webhook_allow_private=True)
    service = ctx.components.use_cases.webhooks
    with http_receiver(statuses=[503] * PAUSE_AFTER_FAILURES) as endpoint:
        sub, _ = await service.register(PARTNER, {"url": endpoint.url})
        for n in range(PAUSE_AFTER_FAILURES + 2):
            await plan(ctx, issue_reported(f"F-{n}"))
        await service.deliver_due()
        assert len(endpoint.requests) == PAUSE_AFTER_FAILURES  # then it stopped calling
        current = await service.get(PARTNER, sub.id)
        assert current.status == "paused"
        deliveries = service.deliveries.collection
        held = await deliveries.count_documents({"subscription_id": sub.id, "status": "held"})
        assert held == PAUSE_AFTER_FAILURES + 2  # nothing dropped while paused
        assert await service.deliver_due() == 0

        await service.resume(PARTNER, sub.id)
        assert (await service.get(PARTNER, sub.id)).status == "active"
        await service.deliver_due()
        delivered = await deliveries.count_documents({"subscription_id": sub.id, "status": "delivered"})
        assert delivered == PAUSE_AFTER_FAILURES + 2
        assert len(endpoint.requests) == 2 * PAUSE_AFTER_FAILURES + 2


async def test_gone_is_a_permanent_failure_and_can_be_redelivered_by_hand(service_context, http_receiver) -> None:
    ctx = await service_context(DEFINITION, webhook_allow_private=True)
    service = ctx.components.use_cases.webhooks
    with http_receiver(statuses=[410]) as endpoint:
        sub, _ = await service.register(PARTNER, {"url": endpoint.url})
        await plan(ctx, issue_reported("G-1"))
        await service.deliver_due()
        [delivery] = await service.deliveries.collection.find({"subscription_id": sub.id}).to_list()
        assert delivery["status"] == "permanent_failure" and "410" in delivery["reason"]
        assert await service.deliveries.redeliver(delivery["_id"], datetime.now(UTC))
        await service.deliver_due()
        assert len(endpoint.requests) == 2
        again = await service.deliveries.collection.find_one({"_id": delivery["_id"]})
        assert again["status"] == "delivered"
        assert json.loads(endpoint.requests[1][1])["id"] == json.loads(endpoint.requests[0][1])["id"]


async def test_registration_refuses_private_urls_unless_allowed_and_other_hubs(service_context) -> None:
    from hub_common.errors import Forbidden, RuleViolation

    ctx = await service_context(DEFINITION)  # the production default: private addresses refused
    service = ctx.components.use_cases.webhooks
    with pytest.raises(RuleViolation, match="https"):
        await service.register(PARTNER, {"url": "http://127.0.0.1:9/hook"})
    with pytest.raises(RuleViolation, match="private"):
        await service.register(PARTNER, {"url": "https://10.0.0.8/hook"})
    with pytest.raises(Forbidden):
        await service.register(PARTNER, {"url": "https://partner.example/hook", "hub_ids": ["hub-riverside"]})
    with pytest.raises(RuleViolation, match="not public event types"):
        await service.register(PARTNER, {"url": "https://partner.example/hook", "event_types": ["hub.contacts.x"]})
    assert await service.subscriptions.collection.count_documents({}) == 0


async def test_a_registered_partners_webhooks_carry_only_what_the_registry_grants_it(service_context) -> None:
    """The read model of hub.identity.events: a partner subscribes to its granted types only, a type
    the registry withdraws is no longer delivered, and a revoked partner's subscriptions are paused."""
    from hub_common.contracts.identity import PartnerGrantsChanged, PartnerRegistered, PartnerRevoked
    from hub_common.errors import Forbidden, RuleViolation

    ctx = await service_context(DEFINITION)
    service, table = ctx.components.use_cases.webhooks, ctx.components.handlers
    now = datetime.now(UTC)
    grants = {"partner_id": PARTNER.sub, "organisation": "Riverside Housing", "hubs": ["hub-northfield"]}

    async def registry(data) -> None:
        event = Envelope(id=uuid.uuid4().hex, source="/hub/identity", type=data.event_type, time=now,
                         subject=data.partner_id, data=data)  # fmt: skip
        await ctx.uow.run(lambda tx: table[data.event_type](event, tx))

    reported = IssueReported.event_type
    await registry(PartnerRegistered(**grants, consumes=[reported], publishes=[], changed_at=now))
    url = {"url": "https://partner.example/hook"}
    with pytest.raises(Forbidden, match=r"does not grant you: hub\.issues\.issue\.fixed\.v1"):
        await service.register(PARTNER, {**url, "event_types": [reported, "hub.issues.issue.fixed.v1"]})
    with pytest.raises(RuleViolation, match="name the event types"):
        await service.register(PARTNER, url)
    sub, _secret = await service.register(PARTNER, {**url, "event_types": [reported]})
    assert await plan(ctx, issue_reported("I-7")) == 1
    # The registry withdraws the type: the subscription stays, and carries it no more.
    later = now.replace(year=now.year + 1)
    withdrawn = PartnerGrantsChanged(**grants, consumes=[], publishes=[], changed_at=later)
    await registry(withdrawn)
    assert await plan(ctx, issue_reported("I-8")) == 0
    # Revoked: its subscriptions are paused.
    await registry(PartnerRevoked(partner_id=PARTNER.sub, revoked_at=later.replace(year=later.year + 1)))
    assert (await service.subscriptions.get(sub.id)).status == "paused"
    with pytest.raises(Forbidden, match="revoked"):
        await service.register(PARTNER, {**url, "event_types": [reported]})
    # The registry's own events are not for partners' webhooks.
    with pytest.raises(RuleViolation, match="not public event types"):
        await service.register(
            Principal(sub="other", role="partner"), {**url, "event_types": [PartnerRegistered.event_type]}
        )

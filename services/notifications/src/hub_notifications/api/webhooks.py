"""Partner webhook subscriptions: register, filter, rotate secrets, resume, delivery log, redelivery."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from hub_common.errors import RuleViolation
from hub_common.http import IfMatch, Paging, StaffForHub, set_etag
from hub_common.pagination import Page
from hub_notifications.api.deps import PartnerOrOperator, Webhooks
from hub_notifications.api.schemas import (
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)

router = APIRouter(prefix="/v1", tags=["webhooks"])


def _fields(body: BaseModel, *, exclude_unset: bool) -> dict[str, Any]:
    """The fields to store. In a PATCH, null removes a filter (an empty list means 'all')."""
    fields = body.model_dump(mode="json", exclude_unset=exclude_unset)
    for name in ("event_types", "hub_ids", "categories"):
        if name in fields and fields[name] is None:
            fields[name] = []
    if "url" in fields:
        if fields["url"] is None:
            raise RuleViolation("a subscription needs a url", errors=[{"field": "url", "message": "required"}])
        fields["url"] = str(fields["url"])
    return fields


@router.post("/webhooks", status_code=201, summary="Subscribe an endpoint to events")
async def subscribe(
    body: SubscriptionIn, principal: PartnerOrOperator, response: Response, webhooks: Webhooks
) -> SubscriptionCreated:
    subscription, secret = await webhooks.register(principal, _fields(body, exclude_unset=False))
    response.headers["Location"] = f"/v1/webhooks/{subscription.id}"
    set_etag(response, subscription.version)
    return SubscriptionCreated.of_new(subscription, secret)


@router.get("/webhooks", summary="Your subscriptions")
async def list_subscriptions(principal: PartnerOrOperator, page: Paging, webhooks: Webhooks) -> Page[SubscriptionOut]:
    items, next_cursor = await webhooks.of_caller(principal, page)
    return Page(items=[SubscriptionOut.of(s) for s in items], next_cursor=next_cursor)


@router.get(
    "/hubs/{hub_id}/webhooks",
    summary="Staff: paused subscriptions that carry this hub's events (the hub listed, or every hub)",
)
async def paused_for_hub(
    hub_id: str, principal: StaffForHub, page: Paging, webhooks: Webhooks
) -> Page[SubscriptionOut]:
    items, next_cursor = await webhooks.paused_for_hub(hub_id, page)
    return Page(items=[SubscriptionOut.of(s) for s in items], next_cursor=next_cursor)


@router.get("/webhooks/{subscription_id}", summary="One subscription")
async def get_subscription(
    subscription_id: str, principal: PartnerOrOperator, response: Response, webhooks: Webhooks
) -> SubscriptionOut:
    subscription = await webhooks.get(principal, subscription_id)
    set_etag(response, subscription.version)
    return SubscriptionOut.of(subscription)


@router.patch("/webhooks/{subscription_id}", summary="Change the endpoint or its filters")
async def update_subscription(
    subscription_id: str,
    body: SubscriptionPatch,
    principal: PartnerOrOperator,
    response: Response,
    expected: IfMatch,
    webhooks: Webhooks,
) -> SubscriptionOut:
    subscription = await webhooks.update(principal, subscription_id, _fields(body, exclude_unset=True), expected)
    set_etag(response, subscription.version)
    return SubscriptionOut.of(subscription)


@router.post("/webhooks/{subscription_id}/rotate-secret", summary="New secret; the old one keeps signing for 24 hours")
async def rotate(subscription_id: str, principal: PartnerOrOperator, webhooks: Webhooks) -> SubscriptionCreated:
    subscription, secret = await webhooks.rotate_secret(principal, subscription_id)
    return SubscriptionCreated.of_new(subscription, secret)


@router.post("/webhooks/{subscription_id}/resume", summary="Resume a paused subscription")
async def resume(subscription_id: str, principal: PartnerOrOperator, webhooks: Webhooks) -> SubscriptionOut:
    return SubscriptionOut.of(await webhooks.resume(principal, subscription_id))


@router.get("/webhooks/{subscription_id}/deliveries", summary="Delivery log, newest first")
async def deliveries(
    subscription_id: str, principal: PartnerOrOperator, page: Paging, webhooks: Webhooks
) -> Page[DeliveryOut]:
    items, next_cursor = await webhooks.deliveries_of(principal, subscription_id, page)
    return Page(items=[DeliveryOut.of(d) for d in items], next_cursor=next_cursor)


@router.post("/webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver", status_code=202, summary="Send again")
async def redeliver(
    subscription_id: str, delivery_id: str, principal: PartnerOrOperator, webhooks: Webhooks
) -> dict[str, str]:
    await webhooks.redeliver(principal, subscription_id, delivery_id)
    return {"status": "queued"}

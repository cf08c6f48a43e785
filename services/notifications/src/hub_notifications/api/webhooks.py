"""Partner webhook subscriptions: register, filter, rotate secrets, resume, delivery log, redelivery."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field, HttpUrl

from hub_common.auth import Principal
from hub_common.concurrency import etag_for
from hub_common.errors import NotFound, RuleViolation
from hub_common.http import PageQuery, if_match_version, require_roles
from hub_common.pagination import Page, find_page
from hub_notifications.service import WebhookService

PartnerOrOperator = Annotated[Principal, Depends(require_roles("partner", "operator"))]
StaffOrOperator = Annotated[Principal, Depends(require_roles("staff", "operator"))]


class Near(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: float = Field(gt=0, le=100_000)


class SubscriptionIn(BaseModel):
    url: HttpUrl = Field(description="https endpoint that receives structured CloudEvents")
    event_types: list[str] = Field(default_factory=list, description="empty: every public event type")
    hub_ids: list[str] = Field(default_factory=list, description="empty: every hub")
    categories: list[str] = Field(default_factory=list, description="issue service codes etc.; empty: all")
    near: Near | None = None
    description: str | None = Field(default=None, max_length=300)


class SubscriptionPatch(BaseModel):
    url: HttpUrl | None = None
    event_types: list[str] | None = None
    hub_ids: list[str] | None = None
    categories: list[str] | None = None
    near: Near | None = None
    description: str | None = Field(default=None, max_length=300)


class SubscriptionOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    hub_ids: list[str]
    categories: list[str]
    near: Near | None = None
    description: str | None = None
    status: str
    consecutive_failures: int
    created_at: datetime
    version: int


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="signing secret (Standard Webhooks 'whsec_…'); shown only now")


class DeliveryOut(BaseModel):
    id: str
    event_id: str
    event_type: str
    status: str
    reason: str | None = None
    attempts: int
    created_at: datetime
    history: list[dict[str, Any]] = Field(default_factory=list)


def _out(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}


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


def build_webhook_router(service: WebhookService) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["webhooks"])

    @router.post("/webhooks", status_code=201, summary="Subscribe an endpoint to events")
    async def subscribe(body: SubscriptionIn, principal: PartnerOrOperator, response: Response) -> SubscriptionCreated:
        doc, secret = await service.register(principal, _fields(body, exclude_unset=False))
        response.headers["Location"] = f"/v1/webhooks/{doc['_id']}"
        response.headers["ETag"] = etag_for(doc["version"])
        return SubscriptionCreated(**_out(doc), secret=secret)

    @router.get("/webhooks", summary="Your subscriptions")
    async def list_subscriptions(
        principal: PartnerOrOperator, page: Annotated[PageQuery, Depends()]
    ) -> Page[SubscriptionOut]:
        query = {} if principal.role == "operator" else {"partner": principal.sub}
        docs, next_cursor = await find_page(
            service.subscriptions.collection,
            query,
            sort=[("partner", 1), ("created_at", -1), ("_id", -1)],
            limit=page.limit,
            cursor=page.cursor,
        )
        return Page(items=[SubscriptionOut(**_out(d)) for d in docs], next_cursor=next_cursor)

    @router.get(
        "/hubs/{hub_id}/webhooks",
        summary="Staff: paused subscriptions that carry this hub's events (the hub listed, or every hub)",
    )
    async def paused_for_hub(
        hub_id: str, principal: StaffOrOperator, page: Annotated[PageQuery, Depends()]
    ) -> Page[SubscriptionOut]:
        principal.require_hub(hub_id)
        docs, next_cursor = await find_page(
            service.subscriptions.collection,
            {"status": "paused", "$or": [{"hub_ids": hub_id}, {"hub_ids": []}]},
            sort=[("status", 1), ("_id", 1)],
            limit=page.limit,
            cursor=page.cursor,
            hint="active_by_type",
        )
        return Page(items=[SubscriptionOut(**_out(d)) for d in docs], next_cursor=next_cursor)

    @router.get("/webhooks/{subscription_id}", summary="One subscription")
    async def get_subscription(
        subscription_id: str, principal: PartnerOrOperator, response: Response
    ) -> SubscriptionOut:
        doc = await service.get(principal, subscription_id)
        response.headers["ETag"] = etag_for(doc["version"])
        return SubscriptionOut(**_out(doc))

    @router.patch("/webhooks/{subscription_id}", summary="Change the endpoint or its filters")
    async def update_subscription(
        subscription_id: str,
        body: SubscriptionPatch,
        principal: PartnerOrOperator,
        response: Response,
        expected: Annotated[int | None, Depends(if_match_version)],
    ) -> SubscriptionOut:
        doc = await service.update(principal, subscription_id, _fields(body, exclude_unset=True), expected)
        response.headers["ETag"] = etag_for(doc["version"])
        return SubscriptionOut(**_out(doc))

    @router.post(
        "/webhooks/{subscription_id}/rotate-secret", summary="New secret; the old one keeps signing for 24 hours"
    )
    async def rotate(subscription_id: str, principal: PartnerOrOperator) -> SubscriptionCreated:
        doc, secret = await service.rotate_secret(principal, subscription_id)
        return SubscriptionCreated(**_out(doc), secret=secret)

    @router.post("/webhooks/{subscription_id}/resume", summary="Resume a paused subscription")
    async def resume(subscription_id: str, principal: PartnerOrOperator) -> SubscriptionOut:
        return SubscriptionOut(**_out(await service.resume(principal, subscription_id)))

    @router.get("/webhooks/{subscription_id}/deliveries", summary="Delivery log, newest first")
    async def deliveries(
        subscription_id: str, principal: PartnerOrOperator, page: Annotated[PageQuery, Depends()]
    ) -> Page[DeliveryOut]:
        await service.get(principal, subscription_id)
        docs, next_cursor = await find_page(
            service.deliveries.collection,
            {"subscription_id": subscription_id},
            sort=[("subscription_id", 1), ("created_at", -1), ("_id", -1)],
            limit=page.limit,
            cursor=page.cursor,
        )
        return Page(items=[DeliveryOut(**_out(d)) for d in docs], next_cursor=next_cursor)

    @router.post(
        "/webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver", status_code=202, summary="Send again"
    )
    async def redeliver(subscription_id: str, delivery_id: str, principal: PartnerOrOperator) -> dict[str, str]:
        await service.get(principal, subscription_id)
        if not await service.deliveries.redeliver(delivery_id, datetime.now(UTC)):
            raise NotFound(f"no finished delivery {delivery_id} to send again")
        return {"status": "queued"}

    return router

"""Webhook subscriptions and deliveries in MongoDB, and the signed HTTP sender."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from standardwebhooks.webhooks import Webhook

from hub_common.mongo import IndexSpec
from hub_notifications.adapters.due_work import SENDING_LEASE, DueWork
from hub_notifications.domain.messages import DeliveryError, Outcome
from hub_notifications.domain.webhooks import NearFilter, Subscription, is_internal_address

SUBSCRIPTIONS = "webhook_subscriptions"
DELIVERIES = "webhook_deliveries"

WEBHOOK_INDEXES = (
    IndexSpec(
        SUBSCRIPTIONS,
        (
            IndexModel([("status", ASCENDING), ("event_types", ASCENDING)], name="active_by_type"),
            IndexModel([("partner", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)], name="by_partner"),
        ),
    ),
    IndexSpec(
        DELIVERIES,
        (
            IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="due"),
            IndexModel([("subscription_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)], name="log"),
        ),
    ),
)


def subscription_of(doc: dict[str, Any]) -> Subscription:
    near = doc.get("near")
    return Subscription(
        id=doc["_id"],
        partner=doc["partner"],
        url=doc["url"],
        event_types=tuple(doc.get("event_types", ())),
        hub_ids=tuple(doc.get("hub_ids", ())),
        categories=tuple(doc.get("categories", ())),
        near=NearFilter(**near) if near else None,
        status=doc.get("status", "active"),
        consecutive_failures=doc.get("consecutive_failures", 0),
    )


class SubscriptionStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[SUBSCRIPTIONS]

    async def candidates(self, event_type: str, session: AsyncClientSession) -> list[Subscription]:
        """Active subscriptions that take this type (or every type); filters are applied by the caller."""
        docs = await self.collection.find(
            {"status": "active", "$or": [{"event_types": event_type}, {"event_types": []}]}, session=session
        ).to_list()
        return [subscription_of(d) for d in docs]

    async def record_result(self, subscription_id: str, ok: bool, pause_after: int) -> bool:
        """Count consecutive failures; pause the subscription at the limit. True when it was just paused."""
        if ok:
            await self.collection.update_one({"_id": subscription_id}, {"$set": {"consecutive_failures": 0}})
            return False
        doc = await self.collection.find_one_and_update(
            {"_id": subscription_id},
            {"$inc": {"consecutive_failures": 1}},
            return_document=ReturnDocument.AFTER,
        )
        if doc and doc["status"] == "active" and doc["consecutive_failures"] >= pause_after:
            result = await self.collection.update_one(
                {"_id": subscription_id, "status": "active"},
                {"$set": {"status": "paused", "paused_at": datetime.now(UTC)}, "$inc": {"version": 1}},
            )
            return result.modified_count == 1
        return False

    async def signing_secrets(self, subscription_id: str) -> list[str]:
        doc = await self.collection.find_one({"_id": subscription_id}, {"secrets": 1})
        now = datetime.now(UTC)
        current = [s for s in (doc or {}).get("secrets", []) if s.get("expires_at") is None or s["expires_at"] > now]
        return [s["secret"] for s in current]

    async def insert(self, doc: dict[str, Any]) -> None:
        await self.collection.insert_one(doc)

    async def get(self, subscription_id: str) -> dict[str, Any] | None:
        return await self.collection.find_one({"_id": subscription_id})

    async def update(
        self, subscription_id: str, changes: dict[str, Any], version: int | None = None
    ) -> dict[str, Any] | None:
        """Apply ``changes`` and bump the version; with ``version``, only if it is still current."""
        query: dict[str, Any] = {"_id": subscription_id}
        if version is not None:
            query["version"] = version
        return await self.collection.find_one_and_update(
            query, {"$set": changes, "$inc": {"version": 1}}, return_document=ReturnDocument.AFTER
        )


class DeliveryStore(DueWork):
    def __init__(self, db: AsyncDatabase, sending_lease: timedelta = SENDING_LEASE) -> None:
        super().__init__(db[DELIVERIES], ["created", "temporary_failure", "sending"], sending_lease)

    async def add_if_absent(self, doc: dict[str, Any], session: AsyncClientSession) -> None:
        await self.collection.update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True, session=session)

    async def finish(self, delivery_id: str, outcome: Outcome, now: datetime, response_status: int | None) -> None:
        update: dict[str, Any] = {
            "$set": {"status": outcome.status, "reason": outcome.reason, "updated_at": now},
            "$push": {
                "history": {"status": outcome.status, "at": now, "reason": outcome.reason, "http": response_status}
            },
        }
        if outcome.next_attempt_at is not None:
            update["$set"]["next_attempt_at"] = outcome.next_attempt_at
        else:
            update["$unset"] = {"next_attempt_at": ""}
        await self.collection.update_one({"_id": delivery_id, "status": "sending"}, update)

    async def redeliver(self, delivery_id: str, now: datetime) -> bool:
        result = await self.collection.update_one(
            {"_id": delivery_id, "status": {"$in": ["delivered", "permanent_failure", "technical_failure", "skipped"]}},
            {"$set": {"status": "created", "next_attempt_at": now, "attempts": 0, "reason": "redelivery requested"}},
        )
        return result.modified_count == 1

    async def hold_pending(self, subscription_id: str, now: datetime) -> None:
        """While a subscription is paused its queue waits ('held'): nothing is lost, nothing is sent."""
        await self.collection.update_many(
            {"subscription_id": subscription_id, "status": {"$in": ["created", "temporary_failure", "sending"]}},
            {"$set": {"status": "held", "updated_at": now}, "$unset": {"next_attempt_at": ""}},
        )

    async def release_held(self, subscription_id: str, now: datetime) -> None:
        await self.collection.update_many(
            {"subscription_id": subscription_id, "status": "held"},
            {"$set": {"status": "created", "next_attempt_at": now, "attempts": 0}},
        )


class HttpWebhookSender:
    """POSTs a structured CloudEvent, signed per Standard Webhooks with every current secret."""

    def __init__(self, *, allow_private: bool, timeout_s: float = 10.0) -> None:
        self.allow_private = allow_private
        self.timeout_s = timeout_s

    async def send(self, *, url: str, delivery_id: str, payload: str, secrets: list[str]) -> int:
        if not self.allow_private:
            await self._refuse_internal(url)
        now = datetime.now(UTC)
        signatures = " ".join(Webhook(secret).sign(delivery_id, now, payload) for secret in secrets)
        headers = {
            "content-type": "application/cloudevents+json",
            "webhook-id": delivery_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signatures,
            "user-agent": "CommunityHub-Webhooks/1",
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False) as client:
                response = await client.post(url, content=payload.encode(), headers=headers)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise DeliveryError(f"could not reach the endpoint: {exc!r}", permanent=False) from exc
        if 200 <= response.status_code < 300:
            return response.status_code
        # 410 Gone, and client errors other than timeouts/rate limits, will not change on retry.
        permanent = response.status_code == 410 or (
            400 <= response.status_code < 500 and response.status_code not in (408, 425, 429)
        )
        raise DeliveryError(f"the endpoint answered {response.status_code}", permanent=permanent)

    async def _refuse_internal(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise DeliveryError(f"cannot resolve {host}: {exc}", permanent=False) from exc
        if any(is_internal_address(info[4][0]) for info in infos):
            raise DeliveryError("the endpoint's name resolves to a private address", permanent=True)

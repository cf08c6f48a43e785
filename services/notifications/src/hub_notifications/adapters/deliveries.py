"""Webhook deliveries (``webhook_deliveries``): the queue the worker sends from and the partner's delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import to_document
from hub_notifications.adapters.due_work import DueWork, finish_update
from hub_notifications.domain.messages import Outcome
from hub_notifications.domain.webhooks import Delivery

DELIVERIES = "webhook_deliveries"

INDEXES = (
    IndexSpec(
        DELIVERIES,
        (
            IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="due"),
            IndexModel([("subscription_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)], name="log"),
        ),
    ),
)

LOG_ORDER = [("subscription_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
PENDING = ["created", "temporary_failure", "sending"]
FINISHED = ["delivered", "permanent_failure", "technical_failure", "skipped"]


class DeliveryRepository(DueWork[Delivery]):
    collection_name = DELIVERIES
    model = Delivery
    noun = "delivery"
    due_statuses = ("created", "temporary_failure", "sending")

    def to_document(self, item: Delivery) -> dict[str, Any]:
        doc = to_document(item)
        for name in ("reason", "updated_at"):  # a planned delivery does not carry them yet
            if doc[name] is None:
                del doc[name]
        return doc

    async def finish(self, delivery_id: str, outcome: Outcome, now: datetime, response_status: int | None) -> None:
        entry = {"status": outcome.status, "at": now, "reason": outcome.reason, "http": response_status}
        update = finish_update(outcome, now, entry)
        await self.atomically(
            lambda session: self.collection.update_one(
                {"_id": delivery_id, "status": "sending"}, update, session=session
            )
        )

    async def redeliver(self, delivery_id: str, now: datetime) -> bool:
        again = {"$set": {"status": "created", "next_attempt_at": now, "attempts": 0, "reason": "redelivery requested"}}
        result = await self.atomically(
            lambda session: self.collection.update_one(
                {"_id": delivery_id, "status": {"$in": FINISHED}}, again, session=session
            )
        )
        return result.modified_count == 1

    async def hold_pending(self, subscription_id: str, now: datetime) -> None:
        """While a subscription is paused its queue waits ('held'): nothing is lost, nothing is sent."""
        hold = {"$set": {"status": "held", "updated_at": now}, "$unset": {"next_attempt_at": ""}}
        await self.atomically(
            lambda session: self.collection.update_many(
                {"subscription_id": subscription_id, "status": {"$in": PENDING}}, hold, session=session
            )
        )

    async def release_held(self, subscription_id: str, now: datetime) -> None:
        release = {"$set": {"status": "created", "next_attempt_at": now, "attempts": 0}}
        await self.atomically(
            lambda session: self.collection.update_many(
                {"subscription_id": subscription_id, "status": "held"}, release, session=session
            )
        )

    async def log(self, subscription_id: str, paging: PageQuery) -> tuple[list[Delivery], str | None]:
        """A subscription's deliveries, newest first."""
        return await self.page(
            {"subscription_id": subscription_id}, sort=LOG_ORDER, limit=paging.limit, cursor=paging.cursor
        )

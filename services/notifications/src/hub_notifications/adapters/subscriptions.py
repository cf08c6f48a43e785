"""Partners' webhook subscriptions (``webhook_subscriptions``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session, to_document
from hub_common.sealed import Sealer
from hub_notifications.domain.webhooks import Subscription

SUBSCRIPTIONS = "webhook_subscriptions"

INDEXES = (
    IndexSpec(
        SUBSCRIPTIONS,
        (
            IndexModel([("status", ASCENDING), ("event_types", ASCENDING)], name="active_by_type"),
            IndexModel([("partner", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)], name="by_partner"),
        ),
    ),
)

BY_PARTNER = [("partner", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
BY_STATUS = [("status", ASCENDING), ("_id", ASCENDING)]


class SubscriptionRepository(Repository[Subscription]):
    """Signing secrets are stored sealed (``hub_common.sealed``): the worker must read them back to
    sign, so they cannot be hashed, and a copy of the database alone must not let anyone forge a
    delivery. A secret stored before sealing began (plain ``whsec_…``) is read as it is and sealed
    at the subscription's next save."""

    collection_name = SUBSCRIPTIONS
    model = Subscription
    noun = "webhook subscription"

    def __init__(self, db: AsyncDatabase, sealer: Sealer) -> None:
        super().__init__(db)
        self.sealer = sealer

    def to_document(self, item: Subscription) -> dict[str, Any]:
        doc = to_document(item)
        if doc["paused_at"] is None:
            del doc["paused_at"]  # set only when the worker pauses it
        doc["secrets"] = [{**s, "secret": self.sealer.seal(s["secret"])} for s in doc.get("secrets", [])]
        return doc

    def from_document(self, doc: Mapping[str, Any]) -> Subscription:
        opened = [
            {**s, "secret": s["secret"] if s["secret"].startswith("whsec_") else self.sealer.open(s["secret"])}
            for s in doc.get("secrets", [])
        ]
        return super().from_document({**doc, "secrets": opened})

    async def save_changes(
        self, current: Subscription, changed: Subscription, *, check_version: bool, session: Session = None
    ) -> Subscription | None:
        """Store the fields that differ between ``current`` and ``changed`` and bump the version; with
        ``check_version``, only if the stored version is still ``current``'s (None if it moved on).

        Only the changed fields are written: the worker counts failures on the same document without
        a version (:meth:`record_result`), and a whole-document replace would undo its count."""
        before, after = self.to_document(current), self.to_document(changed)
        # Sealing is randomised: the secrets differ in every document made, so compare them unsealed.
        same_secrets = current.secrets == changed.secrets
        changes = {
            k: v
            for k, v in after.items()
            if k not in ("_id", "version") and before.get(k) != v and not (k == "secrets" and same_secrets)
        }
        query: dict[str, Any] = {"_id": current.id}
        if check_version:
            query["version"] = current.version
        update: dict[str, Any] = {"$inc": {"version": 1}}
        if changes:
            update["$set"] = changes
        doc = await self.collection.find_one_and_update(
            query, update, return_document=ReturnDocument.AFTER, session=session
        )
        return self.from_document(doc) if doc is not None else None

    async def pause_partner(self, partner: str, now: datetime, session: Session = None) -> int:
        """Pause every active subscription of this partner (a version bump, as any change)."""
        result = await self.collection.update_many(
            {"partner": partner, "status": "active"},
            {"$set": {"status": "paused", "paused_at": now}, "$inc": {"version": 1}},
            session=session,
        )
        return result.modified_count

    async def candidates(self, event_type: str, session: Session) -> list[Subscription]:
        """Active subscriptions that take this type (or every type); filters are applied by the caller."""
        docs = await self.collection.find(
            {"status": "active", "$or": [{"event_types": event_type}, {"event_types": []}]}, session=session
        ).to_list()
        return [self.from_document(d) for d in docs]

    async def record_result(self, subscription_id: str, ok: bool, pause_after: int, now: datetime) -> bool:
        """Count consecutive failures; pause the subscription at the limit. True when it was just paused.
        In a transaction of its own: an operator may be changing the subscription meanwhile."""

        async def write(session: AsyncClientSession) -> bool:
            if ok:
                await self.collection.update_one(
                    {"_id": subscription_id}, {"$set": {"consecutive_failures": 0}}, session=session
                )
                return False
            doc = await self.collection.find_one_and_update(
                {"_id": subscription_id},
                {"$inc": {"consecutive_failures": 1}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc and doc["status"] == "active" and doc["consecutive_failures"] >= pause_after:
                result = await self.collection.update_one(
                    {"_id": subscription_id, "status": "active"},
                    {"$set": {"status": "paused", "paused_at": now}, "$inc": {"version": 1}},
                    session=session,
                )
                return result.modified_count == 1
            return False

        return await self.atomically(write)

    # -- lists --------------------------------------------------------------------------------

    async def of_partner(self, partner: str | None, paging: PageQuery) -> tuple[list[Subscription], str | None]:
        """A partner's subscriptions, newest first (``None``: everyone's, for operators)."""
        query = {} if partner is None else {"partner": partner}
        return await self.page(query, sort=BY_PARTNER, limit=paging.limit, cursor=paging.cursor)

    async def paused_for_hub(self, hub_id: str, paging: PageQuery) -> tuple[list[Subscription], str | None]:
        """Paused subscriptions that carry this hub's events (the hub listed, or every hub)."""
        return await self.page(
            {"status": "paused", "$or": [{"hub_ids": hub_id}, {"hub_ids": []}]},
            sort=BY_STATUS,
            limit=paging.limit,
            cursor=paging.cursor,
            hint="active_by_type",
        )

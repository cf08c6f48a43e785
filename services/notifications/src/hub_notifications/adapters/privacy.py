"""Privacy requests (``privacy_requests``) and the parts of their exports (``privacy_exports``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_notifications.domain.privacy import Confirmation, PrivacyRequest, Status

REQUESTS = "privacy_requests"
EXPORTS = "privacy_exports"
CONFIRMATIONS = "privacy_confirmations"
ATTEMPTS = "privacy_attempts"  # requests by email, hashed, for rate limits
BY_RECEIVED = (("received_at", DESCENDING), ("_id", DESCENDING))

INDEXES = (
    IndexSpec(REQUESTS, (IndexModel([("status", ASCENDING), *BY_RECEIVED], name="by_status"),)),
    # The retention schedule deletes an export's parts once its request completed long enough ago.
    IndexSpec(EXPORTS, (IndexModel([("completed_at", ASCENDING)], name="by_completion"),)),
    IndexSpec(CONFIRMATIONS, (IndexModel([("expires_at", ASCENDING)], name="by_expiry"),)),
    IndexSpec(
        ATTEMPTS,
        (
            IndexModel([("key", ASCENDING), ("at", ASCENDING)], name="by_key"),
            IndexModel([("client", ASCENDING), ("at", ASCENDING)], name="by_client"),
            IndexModel([("at", ASCENDING)], name="by_time"),
        ),
    ),
)


class PrivacyRequestRepository(Repository[PrivacyRequest]):
    collection_name = REQUESTS
    model = PrivacyRequest
    noun = "privacy request"

    def __init__(self, db: Any) -> None:
        super().__init__(db)
        self.exports = db[EXPORTS]
        self.confirmations = db[CONFIRMATIONS]
        self.attempts = db[ATTEMPTS]

    async def listing(self, status: Status | None, *, limit: int, cursor: str | None) -> tuple[list, str | None]:
        """Requests newest first, open ones by default (the privacy team's queue)."""
        return await self.page(
            {"status": status or "open"}, sort=BY_RECEIVED, hint="by_status", limit=limit, cursor=cursor
        )

    async def keep_export(self, request_id: str, service: str, data: dict[str, Any], session: Session) -> None:
        """One service's part of an access request's export (until the request's export expires)."""
        await self.exports.replace_one(
            {"_id": f"{request_id}:{service}"},
            {"request_id": request_id, "service": service, "data": data, "completed_at": None},
            upsert=True,
            session=session,
        )

    async def export_complete(self, request_id: str, at: datetime, session: Session) -> None:
        """Every part is in: the export's time runs from now."""
        await self.exports.update_many({"request_id": request_id}, {"$set": {"completed_at": at}}, session=session)

    async def remove_exports(self, completed_before: datetime) -> int:
        """Retention: delete the exports of requests completed before ``completed_before``; how many parts."""
        result = await self.exports.delete_many({"completed_at": {"$lt": completed_before}})
        return result.deleted_count

    async def export_parts(self, request_id: str) -> dict[str, dict[str, Any]]:
        """Each service's part of the export, by service."""
        return {doc["service"]: doc["data"] async for doc in self.exports.find({"request_id": request_id})}

    # -- requests by email, until the person confirms --------------------------------------------

    async def add_confirmation(self, confirmation: Confirmation, session: Session) -> None:
        doc = confirmation.model_dump()
        await self.confirmations.insert_one({"_id": doc.pop("id"), **doc}, session=session)

    async def confirmation(self, confirmation_id: str, session: Session = None) -> Confirmation | None:
        doc = await self.confirmations.find_one({"_id": confirmation_id}, session=session)
        return Confirmation(id=doc.pop("_id"), **doc) if doc else None

    async def use_confirmation(self, used: Confirmation, session: Session) -> bool:
        """Mark it used, once (False: another request used it first); its address is not kept."""
        result = await self.confirmations.update_one(
            {"_id": used.id, "used_at": None}, {"$set": {"used_at": used.used_at, "email": ""}}, session=session
        )
        return result.modified_count == 1

    async def remove_confirmations(self, expired_before: datetime) -> int:
        """Retention: confirmations that expired (used or not) go, with the address an unused one holds."""
        return (await self.confirmations.delete_many({"expires_at": {"$lt": expired_before}})).deleted_count

    async def record_attempt(self, key: str, client: str, at: datetime, session: Session = None) -> None:
        await self.attempts.insert_one({"key": key, "client": client, "at": at}, session=session)

    async def attempts_since(self, field: str, value: str, since: datetime) -> int:
        return await self.attempts.count_documents({field: value, "at": {"$gte": since}}, hint=f"by_{field}")

    async def remove_attempts(self, before: datetime) -> int:
        return (await self.attempts.delete_many({"at": {"$lt": before}})).deleted_count

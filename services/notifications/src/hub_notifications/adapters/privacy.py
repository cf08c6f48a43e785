"""Privacy requests (``privacy_requests``) and the parts of their exports (``privacy_exports``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_notifications.domain.privacy import PrivacyRequest, Status

REQUESTS = "privacy_requests"
EXPORTS = "privacy_exports"
BY_RECEIVED = (("received_at", DESCENDING), ("_id", DESCENDING))

INDEXES = (
    IndexSpec(REQUESTS, (IndexModel([("status", ASCENDING), *BY_RECEIVED], name="by_status"),)),
    # The retention schedule deletes an export's parts once its request completed long enough ago.
    IndexSpec(EXPORTS, (IndexModel([("completed_at", ASCENDING)], name="by_completion"),)),
)


class PrivacyRequestRepository(Repository[PrivacyRequest]):
    collection_name = REQUESTS
    model = PrivacyRequest
    noun = "privacy request"

    def __init__(self, db: Any) -> None:
        super().__init__(db)
        self.exports = db[EXPORTS]

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

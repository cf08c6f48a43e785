"""Maintenance records: an asset's records, newest first."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING

from hub_assets.adapters.indexes import ix
from hub_assets.domain.maintenance import MaintenanceRecord
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session

MAINTENANCE = "maintenance"
NEWEST_FIRST = (("opened_at", DESCENDING), ("_id", ASCENDING))

INDEXES = (
    IndexSpec(
        MAINTENANCE,
        (
            ix([("asset_id", ASCENDING), *NEWEST_FIRST], "by_asset"),
            ix([("hub_id", ASCENDING), ("status", ASCENDING), *NEWEST_FIRST], "by_hub"),
        ),
    ),
)


class MaintenanceRepository(Repository[MaintenanceRecord]):
    collection_name = MAINTENANCE
    model = MaintenanceRecord
    noun = "maintenance record"

    async def exists(self, record_id: str, session: Session = None) -> bool:
        return await self.collection.find_one({"_id": record_id}, {"_id": 1}, session=session) is not None

    async def for_asset(
        self, asset_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[MaintenanceRecord], str | None]:
        return await self.page({"asset_id": asset_id}, sort=NEWEST_FIRST, hint="by_asset", limit=limit, cursor=cursor)

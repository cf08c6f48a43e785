"""The ``assets`` read model: what the assets service's events said about each asset, newest first wins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from hub_common.contracts.common import GeoPoint
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session

ASSETS = "assets"
INDEXES: tuple[IndexSpec, ...] = ()  # read by id only


class Asset(BaseModel):
    """An asset as the issues service knows it: enough to accept or refuse an ``asset_id``."""

    id: str
    hub_id: str | None = None
    kind: str | None = None
    name: str | None = None
    status: str = "active"
    location: GeoPoint | None = None
    retired_at: datetime | None = None
    as_of: datetime | None = None  # the time of the event that last changed it
    event_id: str | None = None

    @property
    def retired(self) -> bool:
        return self.status == "retired"


class AssetRepository(Repository[Asset]):
    collection_name = ASSETS
    model = Asset
    noun = "asset"

    async def record_snapshot(
        self,
        asset_id: str,
        *,
        hub_id: str,
        kind: str,
        name: str,
        status: str,
        location: GeoPoint | None,
        as_of: datetime,
        event_id: str,
        session: Session,
    ) -> None:
        """Store an asset's public state as a registered/updated event gave it."""
        fields = {
            "hub_id": hub_id,
            "kind": kind,
            "name": name,
            "status": status,
            "location": {"lat": location.lat, "lon": location.lon} if location else None,
        }
        await self._record(asset_id, fields, as_of=as_of, event_id=event_id, session=session)

    async def record_retirement(
        self,
        asset_id: str,
        *,
        hub_id: str,
        kind: str,
        retired_at: datetime,
        as_of: datetime,
        event_id: str,
        session: Session,
    ) -> None:
        """Mark an asset retired (it keeps the name and location the last snapshot gave)."""
        fields = {"hub_id": hub_id, "kind": kind, "status": "retired", "retired_at": retired_at}
        await self._record(asset_id, fields, as_of=as_of, event_id=event_id, session=session)

    async def _record(
        self, asset_id: str, fields: dict[str, Any], *, as_of: datetime, event_id: str, session: Session
    ) -> None:
        await self.collection.update_one(
            {"_id": asset_id},
            {"$set": {**fields, "as_of": as_of, "event_id": event_id}},
            upsert=True,
            session=session,
        )

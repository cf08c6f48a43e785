"""The assets read model: what the assets service's events say, so reports can name an ``asset_id``.

Snapshots carry the full public state, so each event replaces what we hold unless we already
hold a newer one (a replay or a late copy must not roll it back).
"""

from __future__ import annotations

from datetime import datetime

from hub_common.contracts.assets import AssetRetired, AssetSnapshot
from hub_common.uow import Transaction
from hub_issues.adapters.assets import AssetRepository


class AssetService:
    def __init__(self, assets: AssetRepository) -> None:
        self.assets = assets

    async def _is_stale(self, tx: Transaction, asset_id: str, as_of: datetime) -> bool:
        current = await self.assets.find(asset_id, tx.session)
        return current is not None and current.as_of is not None and current.as_of > as_of

    async def record_snapshot(self, tx: Transaction, data: AssetSnapshot, *, as_of: datetime, event_id: str) -> bool:
        """Hold what a registered/updated event says; False when a newer event was recorded already."""
        if await self._is_stale(tx, data.asset_id, as_of):
            return False
        await self.assets.record_snapshot(
            data.asset_id,
            hub_id=data.hub_id,
            kind=data.kind,
            name=data.name,
            status=data.status,
            location=data.location,
            as_of=as_of,
            event_id=event_id,
            session=tx.session,
        )
        return True

    async def record_retirement(self, tx: Transaction, data: AssetRetired, *, as_of: datetime, event_id: str) -> bool:
        """Hold that an asset was retired; False when a newer event was recorded already."""
        if await self._is_stale(tx, data.asset_id, as_of):
            return False
        await self.assets.record_retirement(
            data.asset_id,
            hub_id=data.hub_id,
            kind=data.kind,
            retired_at=data.retired_at,
            as_of=as_of,
            event_id=event_id,
            session=tx.session,
        )
        return True

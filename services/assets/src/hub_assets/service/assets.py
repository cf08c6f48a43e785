"""The asset map: put an asset on it, change it, take it off, find things on it."""

from __future__ import annotations

from hub_assets.adapters.assets import AssetRepository, AssetSearch
from hub_assets.domain.assets import (
    Asset,
    AssetFields,
    new_asset,
    normalise_tags,
    query_terms,
    retired_asset,
    updated_asset,
)
from hub_assets.service.access import require_entry_keeper, require_staff_or_partner_for
from hub_assets.service.shared import new_id
from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.assets import AssetKind, AssetRegistered, AssetRetired, AssetUpdated
from hub_common.errors import Forbidden, RuleViolation
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork

PARTNER_KINDS = ("organisation", "service", "funding")


async def add_asset(assets: AssetRepository, asset: Asset, tx: Transaction) -> None:
    """A new asset on the map, announced."""
    await assets.add(asset, tx.session)
    tx.publish(AssetRegistered(**asset.snapshot()), subject=asset.id, hub_id=asset.hub_id)


async def replace_asset(assets: AssetRepository, asset: Asset, read_version: int, tx: Transaction) -> None:
    """A changed asset over the version read, announced."""
    await assets.save_if_version(asset, read_version, tx.session)
    tx.publish(AssetUpdated(**asset.snapshot()), subject=asset.id, hub_id=asset.hub_id)


class AssetService:
    def __init__(self, uow: UnitOfWork, assets: AssetRepository, *, clock: Clock) -> None:
        self.uow = uow
        self.assets = assets
        self.clock = clock

    async def register(
        self, caller: Principal, fields: AssetFields, idempotency: IdempotentRequest | None = None
    ) -> Asset:
        """Staff put anything on the map; partners their directory entries (organisation, service, funding)."""
        require_staff_or_partner_for(caller, fields.hub_id)
        if caller.role == "partner":
            if fields.kind not in PARTNER_KINDS:
                raise Forbidden(f"partners keep directory entries ({', '.join(PARTNER_KINDS)}); ask hub staff")
            fields = fields.model_copy(update={"owner_id": caller.sub})
        elif fields.owner_id is None:
            fields = fields.model_copy(update={"owner_id": caller.sub})
        await self._check_references(fields)

        async def work(tx: Transaction) -> Asset:
            asset = new_asset(new_id(), fields, self.clock())
            await add_asset(self.assets, asset, tx)
            return asset

        return await self.uow.run(work, idempotency=idempotency, result_type=Asset)

    async def seed(self, asset_id: str, fields: AssetFields) -> bool:
        """Put a demo asset on the map under a known id, unless it is there already; whether it was added."""
        if await self.assets.find(asset_id) is not None:
            return False

        async def work(tx: Transaction) -> None:
            await add_asset(self.assets, new_asset(asset_id, fields, self.clock()), tx)

        await self.uow.run(work)
        return True

    async def _check_references(self, fields: AssetFields) -> None:
        """The parent (e.g. a room's building) and a service's organisation must be on the map, in the same hub."""
        if fields.parent_id is not None:
            parent = await self.assets.find(fields.parent_id)
            if parent is None or parent.status == "retired":
                raise RuleViolation(
                    f"parent asset {fields.parent_id!r} does not exist",
                    errors=[{"field": "parent_id", "message": "no such active asset"}],
                )
            if parent.hub_id != fields.hub_id:
                raise RuleViolation("an asset and its parent belong to the same hub")
        if fields.service is not None and fields.service.organisation_id:
            org = await self.assets.find(fields.service.organisation_id)
            if org is None or org.kind != "organisation" or org.status == "retired":
                raise RuleViolation(
                    "service.organisation_id must be an organisation on the map",
                    errors=[{"field": "service.organisation_id", "message": "no such organisation"}],
                )

    async def update(self, caller: Principal, asset_id: str, fields: AssetFields, expected: int | None) -> Asset:
        await self._check_references(fields)

        async def work(tx: Transaction) -> Asset:
            current = await self.assets.get(asset_id, tx.session)
            require_entry_keeper(caller, current)
            check_version(expected, current.version)
            changes = fields
            if not caller.is_staff_for(current.hub_id):  # only staff hand an entry to another keeper
                changes = fields.model_copy(update={"owner_id": current.owner_id})
            asset = updated_asset(current, changes, self.clock())
            await replace_asset(self.assets, asset, current.version, tx)
            return asset

        return await self.uow.run(work)

    async def retire(self, caller: Principal, asset_id: str, expected: int | None) -> Asset:
        async def work(tx: Transaction) -> Asset:
            current = await self.assets.get(asset_id, tx.session)
            require_entry_keeper(caller, current)
            check_version(expected, current.version)
            asset = retired_asset(current, self.clock())
            await self.assets.save_if_version(asset, current.version, tx.session)
            tx.publish(
                AssetRetired(asset_id=asset.id, hub_id=asset.hub_id, kind=asset.kind, retired_at=asset.retired_at),
                subject=asset.id,
                hub_id=asset.hub_id,
            )
            return asset

        return await self.uow.run(work)

    async def get(self, asset_id: str) -> Asset:
        return await self.assets.get(asset_id)

    async def search(
        self,
        *,
        q: str | None,
        kind: AssetKind | None,
        tag: str | None,
        hub_id: str | None,
        status: str,
        near: tuple[float | None, float | None, float],
        limit: int,
        cursor: str | None,
    ) -> tuple[list[tuple[Asset, float | None]], str | None]:
        """All words of ``q``, kind, tag, hub; with ``near`` = (lat, lon, radius in metres) nearest first."""
        terms = query_terms(q) if q else []
        if q and not terms:
            raise RuleViolation("q has no searchable words", errors=[{"field": "q", "message": "no letters or digits"}])
        normalised_tag = (normalise_tags([tag]) or [None])[0] if tag else None
        search = AssetSearch(terms=terms, kind=kind, tag=normalised_tag, hub_id=hub_id, status=status)
        lat, lon, radius_m = near
        if (lat is None) != (lon is None):
            raise RuleViolation("give both lat and lon to search near a point")
        if lat is not None and lon is not None:
            return await self.assets.search_near(
                search, lat=lat, lon=lon, radius_m=radius_m, limit=limit, cursor=cursor
            )
        found, next_cursor = await self.assets.search(search, limit=limit, cursor=cursor)
        return [(asset, None) for asset in found], next_cursor

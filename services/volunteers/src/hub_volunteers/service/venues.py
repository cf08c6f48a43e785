"""Venues (rooms and spaces) and equipment for shifts: read models of the assets service's events."""

from __future__ import annotations

from datetime import datetime

from hub_common.contracts.assets import AssetRetired, AssetSnapshot
from hub_common.http import PageQuery
from hub_common.uow import Transaction
from hub_volunteers.adapters.venues import AssetReadModel, EquipmentRepository, VenueRepository
from hub_volunteers.domain.venues import EQUIPMENT_KIND, VENUE_KINDS, Venue


class VenueService:
    def __init__(self, venues: VenueRepository, equipment: EquipmentRepository) -> None:
        self.venues = venues
        self.equipment = equipment

    def _read_model_for(self, kind: str) -> AssetReadModel | None:
        if kind in VENUE_KINDS:
            return self.venues
        return self.equipment if kind == EQUIPMENT_KIND else None

    async def record_asset(self, data: AssetSnapshot, as_of: datetime, tx: Transaction) -> None:
        """An asset registered or updated: a room or space is a venue, equipment is what shifts can ask for."""
        read_model = self._read_model_for(data.kind)
        if read_model is None or await read_model.newer_known(data.asset_id, as_of, tx.session):
            return
        fields = {
            "hub_id": data.hub_id,
            "kind": data.kind,
            "name": data.name,
            "address": data.address,
            "status": data.status,
            "accessibility": list(data.accessibility),
        }
        await read_model.record(data.asset_id, fields, as_of, tx.session)

    async def retire_asset(self, data: AssetRetired, as_of: datetime, tx: Transaction) -> None:
        read_model = self._read_model_for(data.kind)
        if read_model is None or await read_model.newer_known(data.asset_id, as_of, tx.session):
            return
        fields = {"status": "retired", "hub_id": data.hub_id, "kind": data.kind}
        await read_model.record(data.asset_id, fields, as_of, tx.session, name_if_new=data.asset_id)

    async def venues_in(self, hub_id: str, paging: PageQuery) -> tuple[list[Venue], str | None]:
        return await self.venues.in_hub(hub_id, paging)

    async def equipment_in(self, hub_id: str, paging: PageQuery) -> tuple[list[Venue], str | None]:
        return await self.equipment.in_hub(hub_id, paging)

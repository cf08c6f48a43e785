"""Read models of the assets service's events: venues (rooms and spaces) and equipment for shifts.

Events of one asset arrive in order (same key); the event time kept with each document guards
against a stale replay overwriting a newer state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_volunteers.domain.venues import Venue

VENUES = "venues"
EQUIPMENT = "equipment"
BY_HUB = "by_hub_v1"

INDEXES = tuple(
    IndexSpec(name, (IndexModel([("hub_id", ASCENDING), ("name", ASCENDING), ("_id", ASCENDING)], name=BY_HUB),))
    for name in (EQUIPMENT, VENUES)
)


class AssetReadModel(Repository[Venue]):
    """Assets of some kinds as this service last heard of them."""

    model = Venue

    async def newer_known(self, asset_id: str, as_of: datetime, session: Session = None) -> bool:
        """Whether what is stored comes from an event later than ``as_of``."""
        current = await self.collection.find_one({"_id": asset_id}, {"as_of": 1}, session=session)
        return current is not None and current.get("as_of") is not None and current["as_of"] > as_of

    async def record(
        self,
        asset_id: str,
        fields: dict[str, Any],
        as_of: datetime,
        session: Session,
        *,
        name_if_new: str | None = None,
    ) -> None:
        """Set ``fields`` of the asset (creating it, named ``name_if_new`` if given) as of that event time."""
        change: dict[str, Any] = {"$set": {**fields, "as_of": as_of}}
        if name_if_new is not None:
            change["$setOnInsert"] = {"name": name_if_new}
        await self.collection.update_one({"_id": asset_id}, change, upsert=True, session=session)

    async def in_hub(self, hub_id: str, paging: PageQuery) -> tuple[list[Venue], str | None]:
        return await self.page(
            {"hub_id": hub_id}, sort=[("name", 1)], limit=paging.limit, cursor=paging.cursor, hint=BY_HUB
        )


class VenueRepository(AssetReadModel):
    collection_name = VENUES
    noun = "venue"


class EquipmentRepository(AssetReadModel):
    collection_name = EQUIPMENT
    noun = "equipment"

"""Events published by the assets service (``hub.assets.events``).

The asset lifecycle events below are read by other services (issues validates ``asset_id``
against them; volunteers uses rooms and spaces as shift venues), so their fields are the public
minimum a partner or another service needs: never a private contact's details.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from hub_common.contracts.common import GeoPoint
from hub_common.contracts.registry import EventData, event_contract

AssetKind = Literal["space", "room", "equipment", "organisation", "service", "funding"]
AssetStatus = Literal["active", "inactive", "retired"]


class AssetSnapshot(EventData):
    """The public state of an asset after a change."""

    asset_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    kind: AssetKind
    name: str = Field(min_length=1, max_length=200)
    status: AssetStatus
    location: GeoPoint | None = None
    address: str | None = Field(default=None, max_length=500)
    parent_id: str | None = Field(default=None, max_length=64, description="e.g. the building a room is in")
    tags: list[str] = Field(default_factory=list)
    bookable: bool = False
    loanable: bool = False
    capacity: int | None = Field(default=None, ge=0)
    accessibility: list[str] = Field(default_factory=list)


@event_contract("hub.assets.asset.registered.v1")
class AssetRegistered(AssetSnapshot):
    """A new asset is on the locality map."""


@event_contract("hub.assets.asset.updated.v1")
class AssetUpdated(AssetSnapshot):
    """An asset's public details changed (the full new snapshot)."""


@event_contract("hub.assets.asset.retired.v1")
class AssetRetired(EventData):
    """An asset left the map; references to it should no longer be accepted."""

    asset_id: str = Field(min_length=1, max_length=64)
    hub_id: str = Field(min_length=1, max_length=64)
    kind: AssetKind
    retired_at: datetime

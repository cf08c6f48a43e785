"""Venues (rooms and spaces) and equipment for shifts, learnt from the assets service's events."""

from __future__ import annotations

from pydantic import BaseModel, Field

VENUE_KINDS: tuple[str, ...] = ("room", "space")
EQUIPMENT_KIND = "equipment"


class Venue(BaseModel):
    """A room, space or piece of equipment on the asset map (the public snapshot this service needs)."""

    id: str  # the asset id
    hub_id: str
    kind: str
    name: str
    address: str | None = None
    status: str = "active"
    accessibility: list[str] = Field(default_factory=list)

    def usable_for(self, hub_id: str, kinds: tuple[str, ...]) -> bool:
        return self.status == "active" and self.kind in kinds and self.hub_id == hub_id

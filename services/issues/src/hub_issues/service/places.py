"""Finding a place by name or postcode: the configured geocoder first, then the local gazetteer."""

from __future__ import annotations

from typing import Protocol

from hub_issues.adapters.gazetteer import Gazetteer
from hub_issues.domain.places import Place


class PlaceFinder(Protocol):
    async def find(self, query: str, limit: int) -> list[Place]: ...


class PlaceService:
    def __init__(self, gazetteer: Gazetteer, geocoder: PlaceFinder | None = None) -> None:
        self.gazetteer = gazetteer
        # A geocoding service if the deployment has one; the gazetteer always answers after it.
        self.finders: list[PlaceFinder] = [*([geocoder] if geocoder else []), gazetteer]

    async def search(self, query: str, limit: int = 10) -> list[Place]:
        """Places matching ``query`` from the first finder that knows any."""
        for finder in self.finders:
            if found := await finder.find(query, limit):
                return found
        return []

    async def locate(self, *wheres: str | None) -> Place | None:
        """The position of the first of these (an address, then a postcode) that a finder knows."""
        for where in wheres:
            if where and where.strip() and (found := await self.search(where, limit=1)):
                return found[0]
        return None

    async def add_known(self, places: list[Place]) -> None:
        """Places the gazetteer knows from now on (demo data, or a deployment's street list)."""
        await self.gazetteer.add_missing(places)

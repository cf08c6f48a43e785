"""A Nominatim-style geocoding service (``HUB_GEOCODER_URL``): ``GET {url}/search?q=…&format=jsonv2``.

OpenStreetMap's Nominatim and compatible services (Photon, LocationIQ, a council's own instance)
answer this way. Any failure finds nothing, so a report falls back to the local gazetteer and then
the hub's centre: a geocoder that is down never stops a resident reporting.
"""

from __future__ import annotations

import httpx

from hub_common.logging import get_logger
from hub_issues.domain.places import Place

log = get_logger(__name__)


class NominatimGeocoder:
    def __init__(self, url: str, *, timeout_s: float = 3.0, country: str = "gb") -> None:
        self.url = url.rstrip("/")
        self.country = country
        self.http = httpx.AsyncClient(timeout=timeout_s, headers={"User-Agent": "community-hub/1 (issues)"})

    async def find(self, query: str, limit: int) -> list[Place]:
        params = {"q": query, "format": "jsonv2", "limit": limit, "countrycodes": self.country}
        try:
            response = await self.http.get(f"{self.url}/search", params=params)
            response.raise_for_status()
            return [
                Place(name=hit["display_name"], kind="address", lat=float(hit["lat"]), lon=float(hit["lon"]))
                for hit in response.json()[:limit]
            ]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("geocoder failed; using the gazetteer", error=type(exc).__name__)
            return []

"""Demo data every service agrees on: two hubs with boundaries (used by ``make run``).

Fictional places; coordinates are WGS84 (GeoJSON order: longitude, latitude).
"""

from __future__ import annotations

from typing import Any

HUBS: list[dict[str, Any]] = [
    {
        "id": "hub-northfield",
        "name": "Northfield Community Hub",
        "boundary": {
            "type": "Polygon",
            "coordinates": [[[-1.580, 53.800], [-1.520, 53.800], [-1.520, 53.830], [-1.580, 53.830], [-1.580, 53.800]]],
        },
        "centre": {"lat": 53.815, "lon": -1.550},
    },
    {
        "id": "hub-riverside",
        "name": "Riverside Community Hub",
        "boundary": {
            "type": "Polygon",
            "coordinates": [[[-1.580, 53.770], [-1.520, 53.770], [-1.520, 53.800], [-1.580, 53.800], [-1.580, 53.770]]],
        },
        "centre": {"lat": 53.785, "lon": -1.550},
    },
]
DEFAULT_HUB_ID = "hub-northfield"

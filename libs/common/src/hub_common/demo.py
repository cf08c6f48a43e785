"""Demo data every service agrees on: two hubs with boundaries (used by ``make run``).

Fictional places; coordinates are WGS84 (GeoJSON order: longitude, latitude).
"""

from __future__ import annotations

import uuid
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
# Each demo hub's ward councillor: the web app's demo account (username) and the name they comment by;
# notifications signs them up for their ward's alerts under the id the web app signs them in as.
DEMO_COUNCILLORS: dict[str, tuple[str, str]] = {
    "hub-northfield": ("councillor-northfield", "Cathy Moss"),
    "hub-riverside": ("councillor-riverside", "Dev Anand"),
}

# The demo assets' ids are derived from their hub and name, so the other services' demo data can
# name them (e.g. the participation service's demo forum in Northfield's Main Hall).
DEMO_ASSET_NAMESPACE = uuid.UUID("6f1c2b1e-5d0a-4c55-9a43-7f8a2f6b9a01")


def demo_asset_id(hub_id: str, name: str) -> str:
    return str(uuid.uuid5(DEMO_ASSET_NAMESPACE, f"{hub_id}/{name}"))

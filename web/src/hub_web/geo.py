"""Drawing hub boundaries as an inline SVG (no map tiles: nothing is fetched from elsewhere)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 480.0


def _rings(boundary: dict[str, Any]) -> list[list[list[float]]]:
    if boundary.get("type") == "Polygon":
        return [boundary["coordinates"][0]]
    if boundary.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in boundary["coordinates"]]
    return []


@dataclass(frozen=True)
class MapShape:
    hub_id: str
    name: str
    points: str  # SVG polygon points
    label_x: float
    label_y: float


@dataclass(frozen=True)
class HubMap:
    width: float
    height: float
    bbox: tuple[float, float, float, float]  # west, south, east, north
    shapes: tuple[MapShape, ...]

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        west, south, east, north = self.bbox
        return (lon - west) / (east - west) * self.width, (north - lat) / (north - south) * self.height


def hub_map(hubs: Sequence[dict[str, Any]]) -> HubMap | None:
    """One SVG of every hub's boundary, longitudes scaled by cos(latitude) so shapes keep their proportions."""
    coords = [pt for h in hubs for ring in _rings(h.get("boundary", {})) for pt in ring]
    if not coords:
        return None
    west, east = min(p[0] for p in coords), max(p[0] for p in coords)
    south, north = min(p[1] for p in coords), max(p[1] for p in coords)
    pad_x, pad_y = (east - west) * 0.04 or 0.01, (north - south) * 0.04 or 0.01
    west, east, south, north = west - pad_x, east + pad_x, south - pad_y, north + pad_y
    aspect = (north - south) / ((east - west) * math.cos(math.radians((north + south) / 2)))
    base = HubMap(WIDTH, round(WIDTH * aspect, 1), (west, south, east, north), ())
    shapes = []
    for h in hubs:
        for ring in _rings(h.get("boundary", {})):
            projected = [base.project(lat, lon) for lon, lat in ring]
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in projected)
            cx = sum(x for x, _ in projected) / len(projected)
            cy = sum(y for _, y in projected) / len(projected)
            shapes.append(MapShape(h["id"], h["name"], points, round(cx, 1), round(cy, 1)))
    return HubMap(base.width, base.height, base.bbox, tuple(shapes))


def dots(hub_map_: HubMap, issues: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"x": round(x, 1), "y": round(y, 1), "issue": i}
        for i in issues
        for x, y in [hub_map_.project(i["lat"], i["lon"])]
        if 0 <= x <= hub_map_.width and 0 <= y <= hub_map_.height
    ]

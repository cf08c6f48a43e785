"""Geography rules: hub boundaries (GeoJSON polygons), distances, which hub a point belongs to."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from typing import Any

from hub_common.errors import RuleViolation
from hub_common.geo import EARTH_RADIUS_M

# Duplicate search grid: cells of 0.001 degrees (about 111 m north-south, 67 m east-west in
# northern England). Equality lookups on a cell key are cheap on every MongoDB-compatible store;
# a 2dsphere $geoWithin scan grew with the collection on SecantusDB (0.9 s at 5k issues).
GRID_DEGREES = 0.001


def grid_cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / GRID_DEGREES), math.floor(lon / GRID_DEGREES)


def grid_cells_around(lat: float, lon: float, radius_m: float) -> list[tuple[int, int]]:
    """Every grid cell that a circle of ``radius_m`` around the point can reach (its bounding box)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = min(180.0, dlat / max(math.cos(math.radians(lat)), 1e-6))
    south, west = grid_cell(lat - dlat, lon - dlon)
    north, east = grid_cell(lat + dlat, lon + dlon)
    return [(i, j) for i in range(south, north + 1) for j in range(west, east + 1)]


def point(lat: float, lon: float) -> dict[str, Any]:
    """A GeoJSON point (GeoJSON order: longitude, latitude)."""
    return {"type": "Point", "coordinates": [lon, lat]}


def validate_boundary(boundary: dict[str, Any], field: str = "boundary") -> dict[str, Any]:
    """Check a GeoJSON Polygon or MultiPolygon: closed rings of at least 4 valid WGS84 positions."""
    kind = boundary.get("type")
    coordinates = boundary.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon" and isinstance(coordinates, list):
        polygons = coordinates
    else:
        raise _invalid(field, "must be a GeoJSON Polygon or MultiPolygon")
    if not polygons:
        raise _invalid(field, "has no polygons")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise _invalid(field, "a polygon needs at least one ring")
        for ring in polygon:
            _check_ring(ring, field)
    return {"type": kind, "coordinates": coordinates}


def _check_ring(ring: Any, field: str) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _invalid(field, "each ring needs at least 4 positions")
    for position in ring:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            raise _invalid(field, "each position is [longitude, latitude]")
        lon, lat = position[0], position[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise _invalid(field, f"position {[lon, lat]} is outside WGS84 (longitude first)")
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise _invalid(field, "each ring must be closed (first position = last position)")
    if len({tuple(p[:2]) for p in ring}) < 3:
        raise _invalid(field, "a ring needs at least 3 distinct positions")


def _invalid(field: str, message: str) -> RuleViolation:
    return RuleViolation(f"{field} {message}", errors=[{"field": field, "message": message, "type": "geojson"}])


def centre_of(boundary: dict[str, Any]) -> tuple[float, float]:
    """A representative (lat, lon): the mean of the outer ring(s)' distinct vertices."""
    polygons = [boundary["coordinates"]] if boundary["type"] == "Polygon" else boundary["coordinates"]
    vertices = [tuple(p[:2]) for polygon in polygons for p in polygon[0][:-1]]
    lon = sum(v[0] for v in vertices) / len(vertices)
    lat = sum(v[1] for v in vertices) / len(vertices)
    return lat, lon


def choose_hub(containing: Iterable[str], default_hub_id: str | None) -> str | None:
    """The hub a report belongs to: the hub whose boundary contains it, else the default hub.

    A point on a border shared by two hubs is in both; the lowest hub id wins, so the choice is
    stable whichever order the database returns them in.
    """
    matches = sorted(set(containing))
    return matches[0] if matches else default_hub_id


def point_in_boundary(lat: float, lon: float, boundary: dict[str, Any]) -> bool:
    """Planar even-odd test (boundary counts as inside): exact enough at the scale of a locality."""
    polygons = [boundary["coordinates"]] if boundary["type"] == "Polygon" else boundary["coordinates"]
    return any(_in_polygon(lat, lon, polygon) for polygon in polygons)


def _in_polygon(lat: float, lon: float, polygon: list) -> bool:
    outer, holes = polygon[0], polygon[1:]
    return _in_ring(lat, lon, outer) and not any(_in_ring(lat, lon, h) and not _on_edge(lat, lon, h) for h in holes)


def _on_edge(lat: float, lon: float, ring: list) -> bool:
    for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring):
        cross = (x2 - x1) * (lat - y1) - (y2 - y1) * (lon - x1)
        if abs(cross) < 1e-12 and min(x1, x2) <= lon <= max(x1, x2) and min(y1, y2) <= lat <= max(y1, y2):
            return True
    return False


def _in_ring(lat: float, lon: float, ring: list) -> bool:
    if _on_edge(lat, lon, ring):
        return True
    inside = False
    for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x_cross:
                inside = not inside
    return inside

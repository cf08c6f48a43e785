"""Distances on the sphere MongoDB measures with, so our metres agree with ``$near`` and ``$geoWithin``."""

from __future__ import annotations

import math

# MongoDB's radius for GeoJSON distances in metres ($near, $geoNear, $maxDistance, $minDistance).
EARTH_RADIUS_M = 6_378_100.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))

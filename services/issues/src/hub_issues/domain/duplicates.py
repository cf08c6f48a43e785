"""Likely duplicates: open issues in the same category close to a new report."""

from __future__ import annotations

from dataclasses import dataclass

from hub_common.geo import distance_m
from hub_issues.domain.workflow import OPEN_STATUSES

DEFAULT_RADIUS_M = 50.0


@dataclass(frozen=True)
class Nearby:
    issue_id: str
    service_code: str
    status: str
    lat: float
    lon: float


@dataclass(frozen=True)
class LikelyDuplicate:
    issue_id: str
    distance_m: float


def likely_duplicates(
    lat: float, lon: float, service_code: str, candidates: list[Nearby], radius_m: float = DEFAULT_RADIUS_M
) -> list[LikelyDuplicate]:
    """Open issues of the same category within ``radius_m``, nearest first."""
    found = []
    for c in candidates:
        if c.service_code != service_code or c.status not in OPEN_STATUSES:
            continue
        d = distance_m(lat, lon, c.lat, c.lon)
        if d <= radius_m:
            found.append(LikelyDuplicate(c.issue_id, round(d, 1)))
    return sorted(found, key=lambda f: (f.distance_m, f.issue_id))


def followers_after_merge(original: list[str], duplicate: list[str]) -> tuple[list[str], int]:
    """Who follows the original after a merge, and how many of them are new."""
    merged = list(dict.fromkeys([*original, *duplicate]))
    return merged, len(merged) - len(dict.fromkeys(original))

"""A hub: the area one community hub looks after (a GeoJSON boundary) and whether it is the default."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from hub_common.contracts.common import GeoPoint
from hub_issues.domain.geo import centre_of, validate_boundary


class Hub(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    boundary: dict[str, Any]
    centre: GeoPoint  # where an address-only report is placed until staff locate it
    is_default: bool = False  # reports outside every boundary go to the default hub
    version: int = 1
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def new(hub_id: str, name: str, boundary: dict[str, Any], *, is_default: bool, at: datetime) -> Hub:
        boundary = validate_boundary(boundary)
        lat, lon = centre_of(boundary)
        return Hub(
            id=hub_id,
            name=name,
            boundary=boundary,
            centre=GeoPoint(lat=lat, lon=lon),
            is_default=is_default,
            created_at=at,
            updated_at=at,
        )

    @staticmethod
    def checked_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
        """Changes to a hub with a new boundary checked and its centre worked out (before any read)."""
        fields = dict(changes)
        if "boundary" in fields:
            fields["boundary"] = validate_boundary(fields["boundary"])
            lat, lon = centre_of(fields["boundary"])
            fields["centre"] = {"lat": lat, "lon": lon}
        return fields

    def changed(self, changes: Mapping[str, Any], at: datetime) -> Hub:
        """The hub with :meth:`checked_changes` applied (a pydantic error if one of them is null)."""
        data = {**self.model_dump(), **changes, "version": self.version + 1, "updated_at": at}
        return Hub.model_validate(data)

"""Value types shared by several services' event contracts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GeoPoint(BaseModel):
    """WGS84 coordinates (as Open311 and HSDS use them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)

"""Places a resident can name instead of a position: streets, landmarks and postcodes."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

PlaceKind = Literal["street", "landmark", "postcode", "address"]
# A UK postcode, spaced or not, any case: "NF1 1AA", "nf11aa".
POSTCODE = re.compile(r"^\s*([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9][A-Za-z]{2})\s*$")


class Place(BaseModel):
    """A named place and its position (from the local gazetteer or the configured geocoder)."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: PlaceKind
    lat: float
    lon: float


def postcode_key(text: str) -> str | None:
    """The postcode in one canonical spelling ("NF1 1AA"), or None when ``text`` is not a postcode."""
    match = POSTCODE.match(text or "")
    return f"{match.group(1).upper()} {match.group(2).upper()}" if match else None

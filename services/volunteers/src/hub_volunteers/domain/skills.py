"""The staff-managed skills taxonomy and recognition (awards)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class Skill(BaseModel):
    id: str  # a slug of the name, e.g. "first-aid"
    name: str
    category: str
    description: str | None = None
    created_at: datetime


class Award(BaseModel):
    id: str
    volunteer_id: str
    hub_id: str
    kind: Literal["milestone", "staff"]
    title: str
    citation: str | None = None
    period: str | None = None
    milestone_hours: int | None = None
    given_by: str
    given_at: datetime


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64]


def search_terms(*texts: str | None) -> list[str]:
    """Normalised words for prefix-free search (SecantusDB has no text indexes)."""
    words: set[str] = set()
    for text in texts:
        if text:
            words.update(w for w in slugify(text).split("-") if len(w) > 1)
    return sorted(words)


def milestone_award(award_id: str, volunteer_id: str, hub_id: str, hours: int, at: datetime) -> Award:
    return Award(
        id=award_id,
        volunteer_id=volunteer_id,
        hub_id=hub_id,
        kind="milestone",
        title=f"{hours} hours volunteered",
        milestone_hours=hours,
        given_by="system",
        given_at=at,
    )

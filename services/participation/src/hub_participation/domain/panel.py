"""A hub's citizens' panel: one membership per hub and resident (an opaque id; the contact details
they gave went to notifications on ``hub.contacts``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


def member_id(hub_id: str, person_id: str) -> str:
    return f"{hub_id}:{person_id}"


class PanelMember(BaseModel):
    id: str  # hub:person
    hub_id: str
    person_id: str
    joined_at: datetime

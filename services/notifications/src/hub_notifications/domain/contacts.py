"""The contact book: how to reach a person, learnt only from ``hub.contacts`` events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Contact:
    person_id: str
    display_name: str
    email: str | None
    phone: str | None
    language: str
    hub_ids: tuple[str, ...]
    consented_channels: tuple[str, ...]
    source: str  # the service that told us, e.g. /hub/volunteers
    updated_at: datetime  # time of the event these details come from


def supersedes(incoming_at: datetime, current_at: datetime | None, erased_at: datetime | None) -> bool:
    """Apply contact details only if they are newer than what we hold and than any erasure.

    Events from different services are not ordered against each other, so the event time
    decides; details older than an erasure must never bring a person back.
    """
    if erased_at is not None and incoming_at <= erased_at:
        return False
    return current_at is None or incoming_at > current_at

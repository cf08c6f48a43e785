"""The contact book: how to reach a person, learnt only from ``hub.contacts`` events."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Contact(BaseModel):
    """How to reach one person (``id`` is their opaque person id)."""

    model_config = ConfigDict(frozen=True)

    id: str
    display_name: str
    email: str | None = None
    phone: str | None = None
    language: str = "en"
    hub_ids: tuple[str, ...] = ()
    consented_channels: tuple[str, ...] = ()
    source: str  # the service that told us, e.g. /hub/volunteers
    updated_at: datetime  # time of the event these details come from

    @property
    def person_id(self) -> str:
        return self.id

    def why_not_by(self, channel: str) -> str | None:
        """Why this person cannot be reached on ``channel`` (None: they can). In-app needs nothing."""
        if channel == "inapp":
            return None
        if channel not in self.consented_channels:
            return f"no consent to contact by {channel}"
        if channel == "email" and not self.email:
            return "no email address"
        if channel == "sms" and not self.phone:
            return "no phone number"
        return None


def for_staff_alerts(
    current: Contact | None, person_id: str, hub_id: str, display_name: str, email: str, at: datetime
) -> Contact:
    """A staff member asked for a hub's alerts at a work address: what we hold of them, with that added."""
    return Contact(
        id=person_id,
        display_name=display_name,
        email=email,
        phone=current.phone if current else None,
        language=current.language if current else "en",
        hub_ids=tuple(sorted({*(current.hub_ids if current else ()), hub_id})),
        consented_channels=tuple(sorted({*(current.consented_channels if current else ()), "email"})),
        source="/hub/notifications",
        updated_at=at,
    )


def supersedes(incoming_at: datetime, current_at: datetime | None, erased_at: datetime | None) -> bool:
    """Apply contact details only if they are newer than what we hold and than any erasure.

    Events from different services are not ordered against each other, so the event time
    decides; details older than an erasure must never bring a person back.
    """
    if erased_at is not None and incoming_at <= erased_at:
        return False
    return current_at is None or incoming_at > current_at

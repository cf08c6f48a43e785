"""Contact details a resident leaves to hear about an idea: sent to notifications on ``hub.contacts``,
never stored here (the idea keeps only the opaque person id)."""

from __future__ import annotations

from hub_common.contact_details import Contact
from hub_common.contracts.contacts import ParticipantContactUpserted
from hub_common.uow import Transaction


def publish_contact(
    tx: Transaction, person_id: str, contact: Contact | None, hub_id: str, shown_as: str | None
) -> None:
    """Hand the person's details to notifications, with the channels they gave them for."""
    if contact is None or not contact.reachable:
        return
    channels = [c for c, present in (("email", contact.email), ("sms", contact.phone)) if present]
    tx.publish(
        ParticipantContactUpserted(
            person_id=person_id,
            display_name=((contact.name or shown_as or "").strip() or "Resident")[:200],
            email=contact.email,
            phone=contact.phone,
            hub_ids=[hub_id],
            consented_channels=[*channels, "inapp"],
        ),
        subject=person_id,
        hub_id=hub_id,
    )

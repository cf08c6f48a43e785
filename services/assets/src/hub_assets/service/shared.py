"""Small pieces every sub-domain's use cases share: new ids, contact details."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hub_common.contracts.contacts import BookerContactUpserted
from hub_common.uow import Transaction


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Contact:
    """Contact details given with a booking or loan: sent only on hub.contacts, never stored here."""

    display_name: str
    email: str | None = None
    phone: str | None = None


def publish_contact(tx: Transaction, person_id: str, contact: Contact | None, hub_id: str) -> None:
    """Hand the person's contact details to notifications (hub.contacts), with the channels they gave."""
    if contact is None:
        return
    channels = [c for c, v in (("email", contact.email), ("sms", contact.phone)) if v]
    tx.publish(
        BookerContactUpserted(
            person_id=person_id,
            display_name=contact.display_name,
            email=contact.email,
            phone=contact.phone,
            hub_ids=[hub_id],
            consented_channels=channels,
        ),
        subject=person_id,
        hub_id=hub_id,
    )

"""MongoDB storage of the contact book (``contacts``) and of erasures (``contact_erasures``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.mongo import IndexSpec
from hub_notifications.domain.contacts import Contact

CONTACTS = "contacts"
ERASURES = "contact_erasures"

CONTACT_BOOK_INDEXES = (IndexSpec(CONTACTS, (IndexModel([("hub_ids", ASCENDING)], name="by_hub"),)),)


class ContactBook:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def get(self, person_id: str, session: AsyncClientSession | None = None) -> Contact | None:
        doc = await self.db[CONTACTS].find_one({"_id": person_id}, session=session)
        return _contact(doc) if doc else None

    async def erased_at(self, person_id: str, session: AsyncClientSession | None = None) -> datetime | None:
        doc = await self.db[ERASURES].find_one({"_id": person_id}, session=session)
        return doc["erased_at"] if doc else None

    async def save(self, contact: Contact, session: AsyncClientSession) -> None:
        doc = asdict(contact)
        doc["_id"] = doc.pop("person_id")
        doc["hub_ids"] = list(contact.hub_ids)
        doc["consented_channels"] = list(contact.consented_channels)
        await self.db[CONTACTS].replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)

    async def erase(self, person_id: str, erased_at: datetime, session: AsyncClientSession) -> None:
        await self.db[CONTACTS].delete_one({"_id": person_id}, session=session)
        await self.db[ERASURES].update_one(
            {"_id": person_id}, {"$max": {"erased_at": erased_at}}, upsert=True, session=session
        )


def _contact(doc: dict[str, Any]) -> Contact:
    return Contact(
        person_id=doc["_id"],
        display_name=doc["display_name"],
        email=doc.get("email"),
        phone=doc.get("phone"),
        language=doc.get("language", "en"),
        hub_ids=tuple(doc.get("hub_ids", ())),
        consented_channels=tuple(doc.get("consented_channels", ())),
        source=doc["source"],
        updated_at=doc["updated_at"],
    )

"""The contact book (``contacts``) and its erasures (``contact_erasures``): who was forgotten, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_notifications.domain.contacts import Contact

CONTACTS = "contacts"
ERASURES = "contact_erasures"
# The batch's contact details, staged and learnt together (see ContactService.learn): flushed before
# anything in the same transaction reads contacts.
LEARNING = "contacts:learn"

INDEXES = (
    IndexSpec(
        CONTACTS,
        (
            IndexModel([("hub_ids", ASCENDING)], name="by_hub"),
            # Whom an email or phone belongs to (a privacy request names a person by them).
            IndexModel([("email_key", ASCENDING)], name="by_email", sparse=True),
            IndexModel([("phone_key", ASCENDING)], name="by_phone", sparse=True),
        ),
    ),
)


def email_key(email: str) -> str:
    return email.strip().lower()


def phone_key(phone: str) -> str:
    """Digits only, a UK number in its national form: '+44 7700 900123' and '07700900123' match."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "0" + digits[2:] if digits.startswith("44") and len(digits) == 12 else digits


class ContactRepository(Repository[Contact]):
    collection_name = CONTACTS
    model = Contact
    noun = "contact"

    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db)
        self.erasures = db[ERASURES]

    def to_document(self, item: Contact) -> dict[str, Any]:
        doc = super().to_document(item)
        if item.email:
            doc["email_key"] = email_key(item.email)
        if item.phone:
            doc["phone_key"] = phone_key(item.phone)
        return doc

    async def known_as(self, email: str | None, phone: str | None) -> list[Contact]:
        """Everyone held under this email or phone: one person's ids in every service that told us."""
        found: dict[str, Contact] = {}
        for field, key in (("email_key", email and email_key(email)), ("phone_key", phone and phone_key(phone))):
            if key:
                async for doc in self.collection.find({field: key}).hint(f"by_{field.removesuffix('_key')}"):
                    found.setdefault(doc["_id"], self.from_document(doc))
        return list(found.values())

    async def save(self, contact: Contact, session: Session) -> None:
        """Store the newest details of a person (whoever told us last; the caller checks they are newer)."""
        await self.save_all([contact], session)

    async def save_all(self, contacts: list[Contact], session: Session) -> None:
        """Store these people's details in one bulk call (one contact per person)."""
        docs = [self.to_document(contact) for contact in contacts]
        replaces = [ReplaceOne({"_id": doc["_id"]}, doc, upsert=True) for doc in docs]
        await self.collection.bulk_write(replaces, ordered=False, session=session)

    async def erased_when(self, person_ids: list[str], session: Session = None) -> dict[str, datetime]:
        """When each of these people (those who did) asked to be forgotten, in one read."""
        found = self.erasures.find({"_id": {"$in": person_ids}}, session=session)
        return {doc["_id"]: doc["erased_at"] async for doc in found}

    async def erased_among(self, person_ids: list[str], session: Session = None) -> set[str]:
        """Which of these people asked to be forgotten (one read for a whole audience)."""
        if not person_ids:
            return set()
        return {
            doc["_id"] async for doc in self.erasures.find({"_id": {"$in": person_ids}}, {"_id": 1}, session=session)
        }

    async def erase(self, person_id: str, erased_at: datetime, session: Session) -> None:
        """Delete what we hold of a person, and remember when they asked (later erasures win)."""
        await self.collection.delete_one({"_id": person_id}, session=session)
        await self.erasures.update_one(
            {"_id": person_id}, {"$max": {"erased_at": erased_at}}, upsert=True, session=session
        )

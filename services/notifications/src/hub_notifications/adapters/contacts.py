"""The contact book (``contacts``) and its erasures (``contact_erasures``): who was forgotten, and when."""

from __future__ import annotations

from datetime import datetime

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

INDEXES = (IndexSpec(CONTACTS, (IndexModel([("hub_ids", ASCENDING)], name="by_hub"),)),)


class ContactRepository(Repository[Contact]):
    collection_name = CONTACTS
    model = Contact
    noun = "contact"

    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db)
        self.erasures = db[ERASURES]

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

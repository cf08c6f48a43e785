"""The ``resident_sign_in_links`` collection: when each email-signed-in resident (by sub, never the
address) was sent links in the last hour, for the per-address limit; each record expires an hour
after its last link (a TTL index), so nothing lasts longer than the limit needs."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_participation.domain.sign_in import LinksSent

SIGN_IN_LINKS = "resident_sign_in_links"
INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(SIGN_IN_LINKS, (IndexModel([("expires_at", ASCENDING)], name="expiry", expireAfterSeconds=0),)),
)


class SignInLinkRepository(Repository[LinksSent]):
    collection_name = SIGN_IN_LINKS
    model = LinksSent
    noun = "sign-in link record"

    async def find(self, person_id: str, session: Session = None) -> LinksSent | None:
        doc = await self.collection.find_one({"_id": person_id}, session=session)
        return self.from_document(doc) if doc else None

    async def claim(self, record: LinksSent, previous: LinksSent | None, session: Session = None) -> bool:
        """Compare-and-set on the times sent, so two requests at once cannot both pass the limit."""
        doc = self.to_document(record)
        if previous is None:
            found = await self.collection.update_one(
                {"_id": record.id}, {"$setOnInsert": doc}, upsert=True, session=session
            )
            return found.upserted_id is not None
        claimed = await self.collection.update_one(
            {"_id": record.id, "sent": previous.sent}, {"$set": doc}, session=session
        )
        return claimed.modified_count == 1

    async def of_people(self, person_ids: list[str], session: Session = None) -> list[LinksSent]:
        return [
            self.from_document(d) async for d in self.collection.find({"_id": {"$in": person_ids}}, session=session)
        ]

    async def forget(self, person_ids: list[str], session: Session = None) -> int:
        gone = await self.collection.delete_many({"_id": {"$in": person_ids}}, session=session)
        return gone.deleted_count

"""Staff who asked to be alerted about their hub (``hub_staff``); their details sit in the contact book."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_notifications.domain.hubs import AlertedStaff

HUB_STAFF = "hub_staff"

INDEXES = (
    IndexSpec(
        HUB_STAFF,
        (IndexModel([("hub_id", ASCENDING)], name="by_hub"), IndexModel([("person_id", ASCENDING)], name="by_person")),
    ),
)


class HubStaffRepository(Repository[AlertedStaff]):
    collection_name = HUB_STAFF
    model = AlertedStaff
    noun = "staff alert"

    async def of_hub(self, hub_id: str | None, session: Session = None) -> list[str]:
        """The person ids of the staff who get this hub's alerts."""
        if not hub_id:
            return []
        return [doc["person_id"] async for doc in self.collection.find({"hub_id": hub_id}, session=session)]

    async def join(self, member: AlertedStaff, session: Session) -> None:
        doc = self.to_document(member)
        await self.collection.update_one({"_id": doc.pop("_id")}, {"$set": doc}, upsert=True, session=session)

    async def leave(self, hub_id: str, person_id: str) -> bool:
        return (await self.collection.delete_one({"_id": f"{hub_id}|{person_id}"})).deleted_count == 1

    async def of_people(self, person_ids: list[str], session: Session = None) -> list[AlertedStaff]:
        """The hubs' alerts these ids (one person's) asked for."""
        found = self.collection.find({"person_id": {"$in": person_ids}}, session=session).hint("by_person")
        return [self.from_document(doc) for doc in await found.to_list()]

    async def leave_all(self, person_ids: list[str], session: Session) -> int:
        """Erasure: these ids get no hub's alerts any more; how many subscriptions ended."""
        result = await self.collection.delete_many({"person_id": {"$in": person_ids}}, session=session)
        return result.deleted_count

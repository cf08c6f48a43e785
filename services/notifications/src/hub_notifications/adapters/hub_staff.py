"""Staff who asked to be alerted about their hub (``hub_staff``); their details sit in the contact book."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_notifications.domain.hubs import AlertedStaff

HUB_STAFF = "hub_staff"

INDEXES = (IndexSpec(HUB_STAFF, (IndexModel([("hub_id", ASCENDING)], name="by_hub"),)),)


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

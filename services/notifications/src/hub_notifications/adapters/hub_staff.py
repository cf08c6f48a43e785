"""Staff and ward councillors who asked to be alerted about their hub (``hub_staff``, each with their
audience); their details sit in the contact book."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_notifications.domain.hubs import AlertAudience, AlertedStaff

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

    async def of_hub(self, hub_id: str | None, session: Session = None, audience: AlertAudience = "staff") -> list[str]:
        """The person ids of the staff (or the councillors) who get this hub's alerts."""
        if not hub_id:
            return []
        # Staff's documents from before councillors had alerts name no audience.
        who = {"audience": audience} if audience != "staff" else {"audience": {"$in": [None, "staff"]}}
        found = self.collection.find({"hub_id": hub_id, **who}, session=session).hint("by_hub")
        return [doc["person_id"] async for doc in found]

    async def join(self, member: AlertedStaff, session: Session) -> None:
        doc = self.to_document(member)
        await self.collection.update_one({"_id": doc.pop("_id")}, {"$set": doc}, upsert=True, session=session)

    async def leave(self, hub_id: str, person_id: str, audience: AlertAudience = "staff") -> bool:
        alert_id = AlertedStaff.alert_id(hub_id, person_id, audience)
        return (await self.collection.delete_one({"_id": alert_id})).deleted_count == 1

    async def of_people(self, person_ids: list[str], session: Session = None) -> list[AlertedStaff]:
        """The hubs' alerts these ids (one person's) asked for."""
        found = self.collection.find({"person_id": {"$in": person_ids}}, session=session).hint("by_person")
        return [self.from_document(doc) for doc in await found.to_list()]

    async def leave_all(self, person_ids: list[str], session: Session) -> int:
        """Erasure: these ids get no hub's alerts any more; how many subscriptions ended."""
        result = await self.collection.delete_many({"person_id": {"$in": person_ids}}, session=session)
        return result.deleted_count

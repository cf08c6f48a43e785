"""The ``panel`` collection: who is on each hub's citizens' panel (one document per hub and person;
opaque ids only, the contact details went to notifications)."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_participation.domain.panel import PanelMember, member_id

PANEL = "panel"
INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(PANEL, (IndexModel([("person_id", ASCENDING), ("hub_id", ASCENDING)], name="by_person"),)),
)


class PanelRepository(Repository[PanelMember]):
    collection_name = PANEL
    model = PanelMember
    noun = "panel membership"

    async def leave(self, hub_id: str, person_id: str, session: Session = None) -> bool:
        gone = await self.collection.delete_one({"_id": member_id(hub_id, person_id)}, session=session)
        return gone.deleted_count == 1

    async def size(self, hub_id: str) -> int:
        # hub:person ids sort by hub, so the _id index answers this range without a scan of others.
        return await self.collection.count_documents({"_id": {"$gte": f"{hub_id}:", "$lt": f"{hub_id};"}})

    async def of_people(self, person_ids: list[str], session: Session = None) -> list[PanelMember]:
        found = self.collection.find({"person_id": {"$in": person_ids}}, session=session).hint("by_person")
        return [self.from_document(doc) async for doc in found]

"""Read model of hub.volunteers.events: who may borrow as a volunteer (opaque id, hub and status only)."""

from __future__ import annotations

from hub_assets.domain.loans import KnownVolunteer
from hub_common.repository import Repository, Session

VOLUNTEERS = "known_volunteers"


class VolunteerRepository(Repository[KnownVolunteer]):
    collection_name = VOLUNTEERS
    model = KnownVolunteer
    noun = "volunteer"

    async def status_of(self, volunteer_id: str, session: Session = None) -> str | None:
        known = await self.find(volunteer_id, session)
        return known.status if known else None

    async def record(self, volunteer: KnownVolunteer, session: Session) -> bool:
        """Store the volunteer's status as of ``volunteer.updated_at``, unless a later event was applied already."""
        current = await self.find(volunteer.id, session)
        if current is not None and current.updated_at > volunteer.updated_at:
            return False
        await self.collection.replace_one(
            {"_id": volunteer.id}, self.to_document(volunteer), upsert=True, session=session
        )
        return True

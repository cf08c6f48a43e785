"""People's notification preferences (``preferences``), keyed by their opaque person id."""

from __future__ import annotations

from hub_common.repository import Session
from hub_notifications.adapters.versioned import VersionedRepository
from hub_notifications.domain.preferences import Preferences

PREFERENCES = "preferences"


class PreferencesRepository(VersionedRepository[Preferences]):
    collection_name = PREFERENCES
    model = Preferences
    noun = "preferences"

    async def of(self, person_id: str, session: Session = None) -> Preferences:
        """A person's preferences; everyone has them, at version 0 until they first change them."""
        return await self.find(person_id, session) or Preferences(id=person_id)

    async def erase(self, person_id: str, session: Session) -> None:
        await self.collection.delete_one({"_id": person_id}, session=session)

"""People's notification preferences (``preferences``), keyed by their opaque person id."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hub_common.concurrency import check_version
from hub_common.errors import PreconditionFailed
from hub_notifications.domain.preferences import Preferences, QuietHours

PREFERENCES = "preferences"


class PreferenceStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[PREFERENCES]

    async def get(self, person_id: str) -> Preferences | None:
        doc = await self.collection.find_one({"_id": person_id})
        return preferences_of(doc) if doc else None

    async def get_doc(self, person_id: str) -> dict[str, Any]:
        return await self.collection.find_one({"_id": person_id}) or {
            "_id": person_id,
            "opt_outs": [],
            "quiet_hours": None,
            "digest": "off",
            "timezone": "Europe/London",
            "version": 0,
        }

    async def save(self, person_id: str, fields: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
        current = await self.get_doc(person_id)
        check_version(expected_version, current["version"])
        doc = {**current, **fields, "version": current["version"] + 1, "updated_at": datetime.now(UTC)}
        try:
            result = await self.collection.replace_one(
                {"_id": person_id, "version": current["version"]}, doc, upsert=True
            )
        except DuplicateKeyError:
            result = None
        if result is None or (result.matched_count == 0 and result.upserted_id is None):
            raise PreconditionFailed("your preferences changed meanwhile; read them again")
        return doc

    async def erase(self, person_id: str, session: AsyncClientSession) -> None:
        await self.collection.delete_one({"_id": person_id}, session=session)


def preferences_of(doc: dict[str, Any]) -> Preferences:
    quiet = doc.get("quiet_hours")
    return Preferences(
        person_id=doc["_id"],
        opt_outs=frozenset(doc.get("opt_outs", ())),
        quiet_hours=QuietHours(time.fromisoformat(quiet["start"]), time.fromisoformat(quiet["end"])) if quiet else None,
        digest=doc.get("digest", "off"),
        timezone=doc.get("timezone", "Europe/London"),
    )

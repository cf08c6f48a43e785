"""Who follows each issue (its reporter and supporters), learnt from the issues service's events."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.mongo import IndexSpec

ISSUE_FOLLOWERS = "issue_followers"
ISSUE_FOLLOWER_INDEXES = (IndexSpec(ISSUE_FOLLOWERS, (IndexModel([("followers", ASCENDING)], name="by_follower"),)),)


class IssueFollowers:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[ISSUE_FOLLOWERS]

    async def follow(self, issue_id: str, person_ids: list[str], session: AsyncClientSession) -> None:
        if person_ids:
            await self.collection.update_one(
                {"_id": issue_id}, {"$addToSet": {"followers": {"$each": person_ids}}}, upsert=True, session=session
            )

    async def of(self, issue_id: str, session: AsyncClientSession | None = None) -> list[str]:
        doc = await self.collection.find_one({"_id": issue_id}, session=session)
        return list(doc["followers"]) if doc else []

    async def forget(self, person_id: str, session: AsyncClientSession) -> None:
        await self.collection.update_many(
            {"followers": person_id}, {"$pull": {"followers": person_id}}, session=session
        )

"""Who follows each issue (its reporter and supporters), learnt from the issues service's events."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ASCENDING, IndexModel

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_notifications.domain.followers import IssueFollowers

ISSUE_FOLLOWERS = "issue_followers"

INDEXES = (IndexSpec(ISSUE_FOLLOWERS, (IndexModel([("followers", ASCENDING)], name="by_follower"),)),)


class IssueFollowerRepository(Repository[IssueFollowers]):
    collection_name = ISSUE_FOLLOWERS
    model = IssueFollowers
    noun = "issue"

    async def follow(self, issue_id: str, person_ids: Sequence[str], session: Session) -> None:
        if person_ids:
            await self.collection.update_one(
                {"_id": issue_id},
                {"$addToSet": {"followers": {"$each": list(person_ids)}}},
                upsert=True,
                session=session,
            )

    async def of(self, issue_id: str, session: Session = None) -> list[str]:
        followers = await self.find(issue_id, session)
        return list(followers.followers) if followers else []

    async def forget(self, person_id: str, session: Session) -> None:
        await self.collection.update_many(
            {"followers": person_id}, {"$pull": {"followers": person_id}}, session=session
        )

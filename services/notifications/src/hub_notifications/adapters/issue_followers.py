"""Who follows each issue (its reporter and supporters), idea (its proposer and whoever asked) or
participatory budgeting round (who proposed to it), learnt from the issues and participation services'
events; all are keyed by their id, which never collide."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ASCENDING, IndexModel, UpdateOne

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_common.uow import Transaction
from hub_notifications.domain.followers import IssueFollowers

ISSUE_FOLLOWERS = "issue_followers"

INDEXES = (IndexSpec(ISSUE_FOLLOWERS, (IndexModel([("followers", ASCENDING)], name="by_follower"),)),)


class IssueFollowerRepository(Repository[IssueFollowers]):
    collection_name = ISSUE_FOLLOWERS
    model = IssueFollowers
    noun = "issue"

    def follow(self, issue_id: str, person_ids: Sequence[str], tx: Transaction) -> None:
        """These people follow the issue; written with the batch's other follows in one bulk call."""
        if person_ids:
            tx.stage(ISSUE_FOLLOWERS, (issue_id, list(person_ids)), self._follow_all)

    async def _follow_all(self, follows: list[tuple[str, list[str]]], session: Session) -> None:
        updates = [
            UpdateOne({"_id": issue_id}, {"$addToSet": {"followers": {"$each": people}}}, upsert=True)
            for issue_id, people in follows
        ]
        await self.collection.bulk_write(updates, ordered=True, session=session)

    async def of(self, issue_id: str, tx: Transaction | None = None) -> list[str]:
        """Who follows the issue (in a transaction: the follows it staged included)."""
        if tx is not None:
            await tx.flush(ISSUE_FOLLOWERS)
        followers = await self.find(issue_id, tx.session if tx is not None else None)
        return list(followers.followers) if followers else []

    async def unfollow(self, issue_id: str, person_id: str, tx: Transaction) -> None:
        """They no longer follow it (the follows staged before this are written first, in order)."""
        await tx.flush(ISSUE_FOLLOWERS)
        await self.collection.update_one({"_id": issue_id}, {"$pull": {"followers": person_id}}, session=tx.session)

    async def forget(self, person_id: str, tx: Transaction) -> None:
        await tx.flush(ISSUE_FOLLOWERS)
        await self.collection.update_many(
            {"followers": person_id}, {"$pull": {"followers": person_id}}, session=tx.session
        )

    async def followed_by(self, person_ids: list[str], tx: Transaction) -> list[str]:
        """The issues any of these ids (one person's) follow."""
        await tx.flush(ISSUE_FOLLOWERS)
        found = self.collection.find({"followers": {"$in": person_ids}}, {"_id": 1}, session=tx.session)
        return [doc["_id"] async for doc in found.hint("by_follower")]

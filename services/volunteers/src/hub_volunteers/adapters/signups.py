"""Sign-ups: one document per volunteer per shift (id ``<shift_id>:<volunteer_id>``), with the
shift's times copied so a volunteer's overlaps and calendar need no join."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_volunteers.domain.shifts import Signup, SignupStatus

SIGNUPS = "signups"
ROSTER = "roster_v1"  # roster and waitlist order of a shift
BY_VOLUNTEER = "by_volunteer_v1"
ACTIVE = {"$in": ["confirmed", "waitlisted"]}

INDEXES = (
    IndexSpec(
        SIGNUPS,
        (
            IndexModel(
                [("shift_id", ASCENDING), ("status", ASCENDING), ("queued_at", ASCENDING), ("_id", ASCENDING)],
                name=ROSTER,
            ),
            IndexModel([("volunteer_id", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)], name=BY_VOLUNTEER),
        ),
    ),
)


class SignupRepository(Repository[Signup]):
    collection_name = SIGNUPS
    model = Signup
    noun = "sign-up"

    async def overlapping(
        self, volunteer_id: str, starts_at: datetime, ends_at: datetime, other_than: str, session: Session = None
    ) -> str | None:
        """The id of another shift the volunteer is signed up to that overlaps these times, if any."""
        clash = await self.collection.find_one(
            {
                "volunteer_id": volunteer_id,
                "starts_at": {"$lt": ends_at},
                "ends_at": {"$gt": starts_at},
                "status": ACTIVE,
                "shift_id": {"$ne": other_than},
            },
            {"shift_id": 1},
            session=session,
        )
        return clash["shift_id"] if clash else None

    async def active_volunteer_ids(self, shift_id: str, session: Session = None) -> list[str]:
        """Who is confirmed or waitlisted on the shift."""
        found = self.collection.find({"shift_id": shift_id, "status": ACTIVE}, {"volunteer_id": 1}, session=session)
        return [d["volunteer_id"] async for d in found]

    async def cancel_all(self, shift_id: str, at: datetime, session: Session) -> None:
        await self.collection.update_many(
            {"shift_id": shift_id, "status": ACTIVE},
            {"$set": {"status": "cancelled", "updated_at": at}},
            session=session,
        )

    async def confirm_first_waitlisted(self, shift_id: str, at: datetime, session: Session) -> Signup | None:
        """Confirm the first waitlisted sign-up in queue order; it as it was (None if nobody waits)."""
        doc = await self.collection.find_one_and_update(
            {"shift_id": shift_id, "status": "waitlisted"},
            {"$set": {"status": "confirmed", "updated_at": at}},
            sort=[("queued_at", 1), ("_id", 1)],
            session=session,
        )
        return self.from_document(doc) if doc else None

    async def move_times(self, shift_id: str, starts_at: datetime, ends_at: datetime, session: Session) -> None:
        await self.collection.update_many(
            {"shift_id": shift_id}, {"$set": {"starts_at": starts_at, "ends_at": ends_at}}, session=session
        )

    async def active_after(self, volunteer_id: str, after: datetime, session: Session = None) -> list[Signup]:
        """The volunteer's confirmed or waitlisted sign-ups to shifts starting after ``after``."""
        found = self.collection.find(
            {"volunteer_id": volunteer_id, "status": ACTIVE, "starts_at": {"$gt": after}}, session=session
        )
        return [self.from_document(d) for d in await found.to_list()]

    async def confirmed_counts(self, volunteer_ids: list[str], start: datetime, end: datetime) -> dict[str, int]:
        """How many confirmed shifts each volunteer has starting ``start``..``end``."""
        pipeline = [
            {"$match": {"volunteer_id": {"$in": volunteer_ids}, "starts_at": {"$gte": start, "$lte": end}}},
            {"$match": {"status": "confirmed"}},
            {"$group": {"_id": "$volunteer_id", "n": {"$sum": 1}}},
        ]
        return {row["_id"]: row["n"] async for row in await self.collection.aggregate(pipeline)}

    async def since(self, volunteer_id: str, start: datetime) -> list[Signup]:
        """All the volunteer's sign-ups to shifts from ``start`` on, soonest first."""
        found = self.collection.find({"volunteer_id": volunteer_id, "starts_at": {"$gte": start}})
        return [self.from_document(d) for d in await found.sort("starts_at", 1).to_list()]

    async def roster(self, shift_id: str, status: SignupStatus, paging: PageQuery) -> tuple[list[Signup], str | None]:
        return await self.page(
            {"shift_id": shift_id, "status": status},
            sort=[("queued_at", 1)],
            limit=paging.limit,
            cursor=paging.cursor,
            hint=ROSTER,
        )

    async def of_volunteer(
        self, volunteer_id: str, since: datetime | None, paging: PageQuery
    ) -> tuple[list[Signup], str | None]:
        query: dict = {"volunteer_id": volunteer_id}
        if since is not None:
            query["starts_at"] = {"$gte": since}
        return await self.page(
            query, sort=[("starts_at", 1)], limit=paging.limit, cursor=paging.cursor, hint=BY_VOLUNTEER
        )

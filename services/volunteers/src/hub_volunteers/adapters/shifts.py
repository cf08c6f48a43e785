"""Shifts, with their ``confirmed`` and ``waitlisted`` counters: every change of a counter is
conditional on the value the decision was made from, so concurrent sign-ups never overfill."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pymongo import ASCENDING, IndexModel, ReturnDocument

from hub_common.errors import NotFound
from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_volunteers.domain.shifts import Shift

SHIFTS = "shifts"
BY_HUB_TIME = "by_hub_time_v1"
OPEN_BY_TIME = "open_by_time"

INDEXES = (
    IndexSpec(
        SHIFTS,
        (
            IndexModel(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)],
                name=BY_HUB_TIME,
            ),
            IndexModel([("role_id", ASCENDING), ("starts_at", ASCENDING)], name="by_role_time"),
            IndexModel([("status", ASCENDING), ("starts_at", ASCENDING)], name=OPEN_BY_TIME),
        ),
    ),
)


class ShiftRepository(Repository[Shift]):
    collection_name = SHIFTS
    model = Shift
    noun = "shift"

    async def claim(self, shift_id: str, at: datetime, session: Session) -> Shift:
        """Read a hot shift for update, as the first write of the transaction: concurrent writers
        of it conflict at once (cheap to retry) rather than after all their work."""
        doc = await self.collection.find_one_and_update(
            {"_id": shift_id}, {"$set": {"claimed_at": at}}, return_document=ReturnDocument.AFTER, session=session
        )
        if doc is None:
            raise NotFound(f"there is no {self.noun} {shift_id!r}")
        return self.from_document(doc)

    async def replace_if_counters(self, seen: Shift, updated: Shift, session: Session) -> bool:
        """Store ``updated`` only if the counters are still those of ``seen``; False if they moved."""
        result = await self.collection.replace_one(
            {"_id": seen.id, "confirmed": seen.confirmed, "waitlisted": seen.waitlisted},
            self.to_document(updated),
            session=session,
        )
        return result.matched_count == 1

    async def take_place(self, seen: Shift, place: Literal["confirmed", "waitlisted"], session: Session) -> bool:
        """Count one more sign-up in ``place``, if the shift is as ``seen`` (and a confirmed place is free)."""
        guard: dict[str, Any] = {"_id": seen.id, "status": "published", "confirmed": seen.confirmed}
        if place == "confirmed":
            guard["confirmed"] = {"$lt": seen.capacity, "$eq": seen.confirmed}
        result = await self.collection.update_one(guard, {"$inc": {place: 1}}, session=session)
        return result.modified_count == 1

    async def release_place(self, shift_id: str, place: Literal["confirmed", "waitlisted"], session: Session) -> bool:
        result = await self.collection.update_one(
            {"_id": shift_id, place: {"$gte": 1}}, {"$inc": {place: -1}}, session=session
        )
        return result.modified_count == 1

    async def move_up_one(self, shift: Shift, session: Session) -> bool:
        """One waitlisted place becomes confirmed, if a confirmed place is free."""
        result = await self.collection.update_one(
            {"_id": shift.id, "confirmed": {"$lt": shift.capacity}, "waitlisted": {"$gte": 1}},
            {"$inc": {"confirmed": 1, "waitlisted": -1}},
            session=session,
        )
        return result.modified_count == 1

    async def in_hub(
        self, hub_id: str, status: str, since: datetime, paging: PageQuery
    ) -> tuple[list[Shift], str | None]:
        return await self.page(
            {"hub_id": hub_id, "status": status, "starts_at": {"$gte": since}},
            sort=[("starts_at", 1)],
            limit=paging.limit,
            cursor=paging.cursor,
            hint=BY_HUB_TIME,
        )

    async def published_between(self, start: datetime, end: datetime, limit: int) -> list[Shift]:
        """Published shifts starting after ``start`` and by ``end``, soonest first."""
        found = self.collection.find({"status": "published", "starts_at": {"$gt": start, "$lte": end}})
        docs = await found.sort("starts_at", 1).limit(limit).to_list()
        return [self.from_document(d) for d in docs]

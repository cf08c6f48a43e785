"""Hours entries: logged by volunteers, staff, partners or check-out, then approved or rejected."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pymongo import ASCENDING, DESCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.insight import InsightScope
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_volunteers.domain.hours import HoursEntry, HoursStatus

HOURS = "hours"
QUEUE = "queue_v1"  # the approval queue: a hub's hours by status, oldest first
BY_VOLUNTEER = "by_volunteer_v1"
WORKED = "approved_by_hub_worked_v1"  # staff insight: a hub's approved hours by the day worked
GroupBy = Literal["role", "volunteer", "month"]
_GROUP_KEYS: dict[str, Any] = {
    "role": "$role_id",
    "volunteer": "$volunteer_id",
    "month": {"$substrBytes": ["$worked_on", 0, 7]},
}

INDEXES = (
    IndexSpec(
        HOURS,
        (
            IndexModel(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                name=QUEUE,
            ),
            IndexModel([("volunteer_id", ASCENDING), ("worked_on", DESCENDING), ("_id", ASCENDING)], name=BY_VOLUNTEER),
            IndexModel(
                [("hub_id", ASCENDING), ("worked_on", ASCENDING)],
                name=WORKED,
                partialFilterExpression={"status": "approved"},
            ),
            IndexModel(
                [("partner_ref", ASCENDING)],
                name="partner_ref_unique",
                unique=True,
                partialFilterExpression={"partner_ref": {"$type": "string"}},
            ),
        ),
    ),
)


class HoursRepository(Repository[HoursEntry]):
    collection_name = HOURS
    model = HoursEntry
    noun = "hours entry"

    async def partner_ref_known(self, partner_ref: str, session: Session = None) -> bool:
        return await self.collection.find_one({"partner_ref": partner_ref}, {"_id": 1}, session=session) is not None

    async def forget_notes(self, volunteer_id: str, session: Session) -> None:
        await self.collection.update_many({"volunteer_id": volunteer_id}, {"$set": {"note": None}}, session=session)

    async def minutes_by_status_and_role(self, volunteer_id: str) -> list[tuple[str, str | None, int]]:
        """The volunteer's logged minutes per (status, role id)."""
        pipeline = [
            {"$match": {"volunteer_id": volunteer_id}},
            {"$group": {"_id": {"status": "$status", "role_id": "$role_id"}, "minutes": {"$sum": "$minutes"}}},
        ]
        return [
            (row["_id"]["status"], row["_id"].get("role_id"), row["minutes"])
            async for row in await self.collection.aggregate(pipeline)
        ]

    async def approved_in_hub(
        self, hub_id: str, start: date | None, end: date | None, group_by: GroupBy
    ) -> list[tuple[str | None, int, int]]:
        """A hub's approved hours worked ``start`` (inclusive) to ``end`` (exclusive): (key, minutes, entries)
        per role, volunteer or month, by key."""
        match: dict[str, Any] = {"hub_id": hub_id, "status": "approved"}
        if start or end:
            match["worked_on"] = {
                **({"$gte": start.isoformat()} if start else {}),
                **({"$lt": end.isoformat()} if end else {}),
            }
        pipeline = [
            {"$match": match},
            {"$group": {"_id": _GROUP_KEYS[group_by], "minutes": {"$sum": "$minutes"}, "entries": {"$sum": 1}}},
            {"$sort": {"_id": 1}},
        ]
        return [(row["_id"], row["minutes"], row["entries"]) async for row in await self.collection.aggregate(pipeline)]

    async def approved_per_month(self, scope: InsightScope) -> dict[str, tuple[int, int]]:
        """The hubs' approved hours worked in the period per month (``YYYY-MM``): (minutes, entries),
        grouped by the store on the (approved only) hub and day-worked index."""
        match = {
            "hub_id": {"$in": list(scope.hub_ids)},
            "status": "approved",
            "worked_on": {"$gte": scope.start.isoformat(), "$lt": scope.end.isoformat()},
        }
        pipeline = [
            {"$match": match},
            {"$group": {"_id": _GROUP_KEYS["month"], "minutes": {"$sum": "$minutes"}, "entries": {"$sum": 1}}},
        ]
        rows = await (await self.collection.aggregate(pipeline, hint=WORKED)).to_list()
        return {row["_id"]: (row["minutes"], row["entries"]) for row in rows}

    async def queue(self, hub_id: str, status: HoursStatus, paging: PageQuery) -> tuple[list[HoursEntry], str | None]:
        return await self.page(
            {"hub_id": hub_id, "status": status},
            sort=[("created_at", 1)],
            limit=paging.limit,
            cursor=paging.cursor,
            hint=QUEUE,
        )

    async def logged_for_shift(self, volunteer_id: str, shift_id: str, session: Session = None) -> bool:
        """Whether the volunteer has hours for the shift that are pending or approved (a rejected
        entry may be logged again, corrected). Served by the by-volunteer index."""
        query = {"volunteer_id": volunteer_id, "shift_id": shift_id, "status": {"$in": ["pending", "approved"]}}
        return await self.collection.find_one(query, {"_id": 1}, session=session, hint=BY_VOLUNTEER) is not None

    async def of_volunteer(self, volunteer_id: str, paging: PageQuery) -> tuple[list[HoursEntry], str | None]:
        return await self.page(
            {"volunteer_id": volunteer_id},
            sort=[("worked_on", -1)],
            limit=paging.limit,
            cursor=paging.cursor,
            hint=BY_VOLUNTEER,
        )

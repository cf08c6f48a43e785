"""Room bookings: the overlap check every booking transaction makes, the lists and the usage report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING

from hub_assets.adapters.indexes import ix
from hub_assets.domain.bookings import Booking
from hub_common.insight import InsightScope, day_key
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session

BOOKINGS = "bookings"
BY_START = (("starts_at", ASCENDING), ("_id", ASCENDING))
REQUESTED = {"request_id": {"$type": "string"}}  # bookings made for a platform service's request

INDEXES = (
    IndexSpec(
        BOOKINGS,
        (
            ix([("room_id", ASCENDING), *BY_START], "by_room"),
            ix([("booker_id", ASCENDING), *BY_START], "by_booker"),
            ix([("status", ASCENDING), ("ends_at", ASCENDING), ("_id", ASCENDING)], "by_status_end"),
            ix([("hub_id", ASCENDING), ("status", ASCENDING), *BY_START], "by_hub"),
            # A platform service's request is booked once however often it arrives (its correlation id).
            ix([("request_id", ASCENDING)], "by_request", unique=True, partialFilterExpression=REQUESTED),
        ),
    ),
)


class BookingRepository(Repository[Booking]):
    collection_name = BOOKINGS
    model = Booking
    noun = "booking"

    async def confirmed_overlapping(
        self, room_id: str, starts_at: datetime, ends_at: datetime, session: Session = None
    ) -> list[Booking]:
        query = {
            "room_id": room_id,
            "starts_at": {"$lt": ends_at},
            "ends_at": {"$gt": starts_at},
            "status": "confirmed",
        }
        docs = await self.collection.find(query, session=session).hint("by_room").to_list()
        return [self.from_document(d) for d in docs]

    async def of_request(self, request_id: str, session: Session = None) -> Booking | None:
        """The booking made for a platform service's request (its correlation id), if any."""
        doc = await self.collection.find_one({"request_id": request_id}, session=session)
        return self.from_document(doc) if doc is not None else None

    # -- the lists ---------------------------------------------------------------------------------

    async def of_room(
        self, room_id: str, status: str | None, *, limit: int, cursor: str | None
    ) -> tuple[list[Booking], str | None]:
        query: dict[str, Any] = {"room_id": room_id} | ({"status": status} if status else {})
        return await self.page(query, sort=BY_START, hint="by_room", limit=limit, cursor=cursor)

    async def in_hub(
        self, hub_id: str, status: str, *, limit: int, cursor: str | None
    ) -> tuple[list[Booking], str | None]:
        query = {"hub_id": hub_id, "status": status}
        return await self.page(query, sort=BY_START, hint="by_hub", limit=limit, cursor=cursor)

    async def of_booker(
        self, booker_id: str, status: str | None, *, limit: int, cursor: str | None
    ) -> tuple[list[Booking], str | None]:
        query: dict[str, Any] = {"booker_id": booker_id} | ({"status": status} if status else {})
        return await self.page(query, sort=BY_START, hint="by_booker", limit=limit, cursor=cursor)

    async def in_room(
        self, room_id: str, *, statuses: Sequence[str], since: datetime, limit: int = 2000
    ) -> list[Booking]:
        """The room's bookings in these statuses starting from ``since`` (its calendar feed)."""
        query = {"room_id": room_id, "starts_at": {"$gte": since}, "status": {"$in": list(statuses)}}
        docs = await self.collection.find(query).sort(list(BY_START)).hint("by_room").limit(limit).to_list()
        return [self.from_document(d) for d in docs]

    async def ended_confirmed(self, now: datetime, limit: int) -> list[str]:
        """Ids of confirmed bookings that have ended (the periodic completion), earliest end first."""
        query = {"status": "confirmed", "ends_at": {"$lte": now}}
        docs = (
            await self.collection.find(query, {"_id": 1})
            .sort([("ends_at", 1)])
            .hint("by_status_end")
            .limit(limit)
            .to_list()
        )
        return [d["_id"] for d in docs]

    async def usage(self, hub_id: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Bookings and minutes per (room, organisation, booker role), confirmed or held, starting in the period."""
        pipeline = [
            {
                "$match": {
                    "hub_id": hub_id,
                    "status": {"$in": ["confirmed", "completed"]},
                    "starts_at": {"$gte": since, "$lt": until},
                }
            },
            {
                "$group": {
                    "_id": {"room_id": "$room_id", "organisation_id": "$organisation_id", "role": "$booker_role"},
                    "bookings": {"$sum": 1},
                    "minutes": {"$sum": {"$divide": [{"$subtract": ["$ends_at", "$starts_at"]}, 60_000]}},
                }
            },
            {"$sort": {"_id.room_id": 1, "_id.organisation_id": 1, "_id.role": 1}},
        ]
        docs = await (await self.collection.aggregate(pipeline, hint="by_hub")).to_list()
        return [
            {
                "room_id": d["_id"]["room_id"],
                "organisation_id": d["_id"].get("organisation_id"),
                "booker_role": d["_id"]["role"],
                "bookings": d["bookings"],
                "minutes": d["minutes"],
            }
            for d in docs
        ]

    async def held_per_day(self, scope: InsightScope) -> dict[str, tuple[int, float]]:
        """Staff insight: per UTC day of the period, the hubs' confirmed or held bookings starting that
        day and their minutes (by_hub: the hub, the status, then the start)."""
        match = {
            "hub_id": {"$in": list(scope.hub_ids)},
            "status": {"$in": ["confirmed", "completed"]},
            "starts_at": {"$gte": scope.start_at, "$lt": scope.end_at},
        }
        minutes = {"$divide": [{"$subtract": ["$ends_at", "$starts_at"]}, 60_000]}
        group = {"_id": day_key("starts_at"), "bookings": {"$sum": 1}, "minutes": {"$sum": minutes}}
        pipeline = [{"$match": match}, {"$group": group}]
        rows = await (await self.collection.aggregate(pipeline, hint="by_hub")).to_list()
        return {row["_id"]: (row["bookings"], row["minutes"]) for row in rows}

    async def of_bookers(self, booker_ids: list[str], session: Session) -> list[Booking]:
        """Every booking made under any of these ids (one person's), by start."""
        found = self.collection.find({"booker_id": {"$in": booker_ids}}, session=session).hint("by_booker")
        return [self.from_document(d) for d in await found.to_list()]

    async def clear_purposes(self, booker_ids: list[str], session: Session) -> int:
        """Forget the free text of someone's bookings (the right to be forgotten); how many changed."""
        result = await self.collection.update_many(
            {"booker_id": {"$in": booker_ids}, "purpose": {"$ne": ""}}, {"$set": {"purpose": ""}}, session=session
        )
        return result.modified_count

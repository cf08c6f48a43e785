"""MongoDB storage of the assets service: collections, indexes, repositories and searches.

Every list query names the index that serves it (``hint``): our development database's planner
may otherwise prefer a collection scan for compound filters, and a hint keeps real MongoDB and
SecantusDB on the same plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, GEOSPHERE, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from hub_assets.domain.acv import Nomination
from hub_assets.domain.assets import Asset, search_terms
from hub_assets.domain.bookings import Booking
from hub_assets.domain.loans import ACTIVE, Loan
from hub_assets.domain.maintenance import MaintenanceRecord
from hub_common.errors import NotFound, RuleViolation
from hub_common.mongo import IndexSpec
from hub_common.pagination import MAX_LIMIT, decode_cursor, encode_cursor, find_page

ASSETS = "assets"
LOCKS = "asset_locks"
BOOKINGS = "bookings"
LOANS = "loans"
MAINTENANCE = "maintenance"
ACV = "acv_nominations"
VOLUNTEERS = "known_volunteers"  # read model from hub.volunteers.events: id, hub, status

MAX_SLOT_DAYS = 15  # the longest booking policy allows 14 days
NAME_ORDER = (("name", ASCENDING), ("_id", ASCENDING))


def _ix(keys: Sequence[tuple[str, Any]], name: str, **kwargs: Any) -> IndexModel:
    return IndexModel(list(keys), name=name, **kwargs)


INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        ASSETS,
        (
            _ix([("status", ASCENDING), *NAME_ORDER], "by_status"),
            _ix([("hub_id", ASCENDING), ("status", ASCENDING), *NAME_ORDER], "by_hub"),
            _ix([("kind", ASCENDING), ("status", ASCENDING), *NAME_ORDER], "by_kind"),
            _ix([("tags", ASCENDING), ("status", ASCENDING), *NAME_ORDER], "by_tag"),
            _ix([("search_terms", ASCENDING), ("status", ASCENDING), *NAME_ORDER], "by_terms"),
            _ix([("geo", GEOSPHERE)], "by_geo"),
        ),
    ),
    IndexSpec(
        BOOKINGS,
        (
            _ix([("room_id", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)], "by_room"),
            _ix([("booker_id", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)], "by_booker"),
            _ix([("status", ASCENDING), ("ends_at", ASCENDING), ("_id", ASCENDING)], "by_status_end"),
            _ix([("hub_id", ASCENDING), ("status", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)], "by_hub"),
        ),
    ),
    IndexSpec(
        LOANS,
        (
            _ix([("asset_id", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)], "by_asset"),
            _ix([("status", ASCENDING), ("due_at", ASCENDING), ("_id", ASCENDING)], "by_status_due"),
            _ix([("hub_id", ASCENDING), ("status", ASCENDING), ("due_at", ASCENDING), ("_id", ASCENDING)], "by_hub"),
        ),
    ),
    IndexSpec(
        MAINTENANCE,
        (
            _ix([("asset_id", ASCENDING), ("opened_at", DESCENDING), ("_id", ASCENDING)], "by_asset"),
            _ix(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("opened_at", DESCENDING), ("_id", ASCENDING)], "by_hub"
            ),
        ),
    ),
    IndexSpec(
        ACV,
        (
            _ix(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("nominated_on", ASCENDING), ("_id", ASCENDING)],
                "by_hub",
            ),
            _ix([("status", ASCENDING), ("nominated_on", ASCENDING), ("_id", ASCENDING)], "by_status"),
            _ix([("asset_id", ASCENDING), ("status", ASCENDING)], "by_asset"),
        ),
    ),
)


# --- assets -----------------------------------------------------------------------------------


def asset_to_doc(asset: Asset) -> dict[str, Any]:
    doc = asset.model_dump(mode="json", exclude={"id"})
    doc["_id"] = asset.id
    doc["created_at"], doc["updated_at"], doc["retired_at"] = asset.created_at, asset.updated_at, asset.retired_at
    doc["search_terms"] = search_terms(asset)
    if asset.location is not None:
        doc["geo"] = {"type": "Point", "coordinates": [asset.location.lon, asset.location.lat]}
    return doc


def asset_from_doc(doc: dict[str, Any]) -> Asset:
    data = {k: v for k, v in doc.items() if k not in ("_id", "geo", "search_terms", "distance_m")}
    return Asset.model_validate({**data, "id": doc["_id"]})


class AssetSearch:
    """The public asset search: text, kind, tag, hub, status and distance from a point."""

    def __init__(
        self,
        *,
        terms: list[str] | None = None,
        kind: str | None = None,
        tag: str | None = None,
        hub_id: str | None = None,
        status: str = "active",
    ) -> None:
        self.terms = terms or []
        self.kind, self.tag, self.hub_id, self.status = kind, tag, hub_id, status

    def query(self) -> dict[str, Any]:
        query: dict[str, Any] = {"status": self.status}
        if self.terms:
            query["search_terms"] = {"$all": self.terms}
        if self.tag:
            query["tags"] = self.tag
        if self.kind:
            query["kind"] = self.kind
        if self.hub_id:
            query["hub_id"] = self.hub_id
        return query

    def index(self) -> str:
        """The most selective index for this combination of filters."""
        if self.terms:
            return "by_terms"
        if self.tag:
            return "by_tag"
        if self.hub_id:
            return "by_hub"
        if self.kind:
            return "by_kind"
        return "by_status"


class AssetRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[ASSETS]

    async def get(self, asset_id: str, session: AsyncClientSession | None = None) -> Asset:
        doc = await self.collection.find_one({"_id": asset_id}, session=session)
        if doc is None:
            raise NotFound(f"there is no asset {asset_id!r}")
        return asset_from_doc(doc)

    async def find(self, asset_id: str, session: AsyncClientSession | None = None) -> Asset | None:
        doc = await self.collection.find_one({"_id": asset_id}, session=session)
        return asset_from_doc(doc) if doc else None

    async def insert(self, asset: Asset, session: AsyncClientSession) -> None:
        await self.collection.insert_one(asset_to_doc(asset), session=session)

    async def replace(self, asset: Asset, expected_version: int, session: AsyncClientSession) -> bool:
        result = await self.collection.replace_one(
            {"_id": asset.id, "version": expected_version}, asset_to_doc(asset), session=session
        )
        return result.matched_count == 1

    async def search(self, search: AssetSearch, *, limit: int, cursor: str | None) -> tuple[list[Asset], str | None]:
        docs, next_cursor = await find_page(
            self.collection, search.query(), sort=NAME_ORDER, hint=search.index(), limit=limit, cursor=cursor
        )
        return [asset_from_doc(d) for d in docs], next_cursor

    async def search_near(
        self, search: AssetSearch, *, lat: float, lon: float, radius_m: float, limit: int, cursor: str | None
    ) -> tuple[list[tuple[Asset, float]], str | None]:
        """Nearest first, within ``radius_m``; the cursor is (last distance, ids seen at that distance).

        ``$geoNear`` because it gives the distance and, on MongoDB, walks the 2dsphere index nearest
        first. (A ``$near`` find would show an index scan on SecantusDB too, but SecantusDB returns it
        unordered, so its limit cuts the wrong documents.)
        """
        query = search.query()
        min_distance = 0.0
        if cursor:
            min_distance, seen = decode_cursor(cursor, 2)
            query["_id"] = {"$nin": list(seen)}
        limit = max(1, min(limit, MAX_LIMIT))
        stage: dict[str, Any] = {
            "near": {"type": "Point", "coordinates": [lon, lat]},
            "key": "geo",
            "distanceField": "distance_m",
            "maxDistance": radius_m,
            "minDistance": float(min_distance),
            "query": query,
            "spherical": True,
        }
        docs = await (await self.collection.aggregate([{"$geoNear": stage}, {"$limit": limit + 1}])).to_list()
        next_cursor = None
        if len(docs) > limit:
            docs = docs[:limit]
            last = docs[-1]["distance_m"]
            seen = [d["_id"] for d in docs if d["distance_m"] == last]
            if cursor and float(min_distance) == last:
                seen += list(decode_cursor(cursor, 2)[1])
            next_cursor = encode_cursor([last, seen])
        return [(asset_from_doc(d), d["distance_m"]) for d in docs], next_cursor

    async def list_kinds(
        self, kinds: Sequence[str], *, hub_id: str | None, skip: int, limit: int
    ) -> tuple[list[Asset], int]:
        """Active assets of the given kinds (the HSDS export), page by page."""
        query: dict[str, Any] = {"kind": {"$in": list(kinds)}, "status": "active"}
        if hub_id:
            query["hub_id"] = hub_id
        total = await self.collection.count_documents(query, hint="by_kind")
        docs = (
            await self.collection.find(query)
            .sort([("kind", ASCENDING), ("status", ASCENDING), *NAME_ORDER])
            .hint("by_kind")
            .skip(skip)
            .limit(limit)
            .to_list()
        )
        return [asset_from_doc(d) for d in docs], total

    async def with_inspections(self) -> list[Asset]:
        """Active equipment that has an inspection interval (the inspections-due sweep)."""
        query = {"kind": "equipment", "status": "active", "equipment.inspection_interval_days": {"$ne": None}}
        docs = await self.collection.find(query).sort(list(NAME_ORDER)).hint("by_kind").to_list()
        return [asset_from_doc(d) for d in docs]

    async def find_many(self, ids: Sequence[str]) -> dict[str, Asset]:
        docs = await self.collection.find({"_id": {"$in": list(ids)}}).to_list()
        return {d["_id"]: asset_from_doc(d) for d in docs}


async def lock_asset(db: AsyncDatabase, asset_id: str, session: AsyncClientSession) -> int:
    """Bump the asset's lock document inside the transaction.

    Two transactions that both bump it conflict (write conflict → the unit of work retries the
    loser from the start), so overlap checks that follow see every committed booking or loan.
    """
    doc = await db[LOCKS].find_one_and_update(
        {"_id": asset_id}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER, session=session
    )
    return doc["n"]


async def lock_room_days(
    db: AsyncDatabase, room_id: str, starts_at: datetime, ends_at: datetime, session: AsyncClientSession
) -> None:
    """Bump the room's lock document of every UTC day the slot touches.

    Two overlapping slots always share a day, so their transactions conflict and one retries;
    bookings on different days of the same room do not contend.
    """
    for day in slot_days(starts_at, ends_at):
        await lock_asset(db, f"{room_id}|{day}", session)


def slot_days(starts_at: datetime, ends_at: datetime) -> list[str]:
    first = starts_at.astimezone(UTC).date()
    last = (ends_at.astimezone(UTC) - timedelta(microseconds=1)).date()
    if (last - first).days > MAX_SLOT_DAYS:
        raise RuleViolation(f"a booking spans at most {MAX_SLOT_DAYS} days")
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


# --- bookings ---------------------------------------------------------------------------------


def _to_doc(model: Any) -> dict[str, Any]:
    doc = model.model_dump(exclude={"id"})
    doc["_id"] = model.id
    return doc


def _from_doc(cls: Any, doc: dict[str, Any]) -> Any:
    return cls.model_validate({**{k: v for k, v in doc.items() if k != "_id"}, "id": doc["_id"]})


class BookingRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[BOOKINGS]

    async def get(self, booking_id: str, session: AsyncClientSession | None = None) -> Booking:
        doc = await self.collection.find_one({"_id": booking_id}, session=session)
        if doc is None:
            raise NotFound(f"there is no booking {booking_id!r}")
        return _from_doc(Booking, doc)

    async def insert(self, booking: Booking, session: AsyncClientSession) -> None:
        await self.collection.insert_one(_to_doc(booking), session=session)

    async def replace(self, booking: Booking, expected_version: int, session: AsyncClientSession) -> bool:
        result = await self.collection.replace_one(
            {"_id": booking.id, "version": expected_version}, _to_doc(booking), session=session
        )
        return result.matched_count == 1

    async def confirmed_overlapping(
        self, room_id: str, starts_at: datetime, ends_at: datetime, session: AsyncClientSession | None = None
    ) -> list[Booking]:
        query = {
            "room_id": room_id,
            "starts_at": {"$lt": ends_at},
            "ends_at": {"$gt": starts_at},
            "status": "confirmed",
        }
        docs = await self.collection.find(query, session=session).hint("by_room").to_list()
        return [_from_doc(Booking, d) for d in docs]

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

    async def ended_confirmed(self, now: datetime, limit: int) -> list[str]:
        query = {"status": "confirmed", "ends_at": {"$lte": now}}
        docs = (
            await self.collection.find(query, {"_id": 1})
            .sort([("ends_at", 1)])
            .hint("by_status_end")
            .limit(limit)
            .to_list()
        )
        return [d["_id"] for d in docs]

    async def in_room(
        self, room_id: str, *, statuses: Sequence[str], since: datetime, limit: int = 2000
    ) -> list[Booking]:
        query = {"room_id": room_id, "starts_at": {"$gte": since}, "status": {"$in": list(statuses)}}
        docs = (
            await self.collection.find(query)
            .sort([("starts_at", 1), ("_id", 1)])
            .hint("by_room")
            .limit(limit)
            .to_list()
        )
        return [_from_doc(Booking, d) for d in docs]

    async def page(
        self, query: dict[str, Any], *, hint: str, limit: int, cursor: str | None
    ) -> tuple[list[Booking], str | None]:
        docs, next_cursor = await find_page(
            self.collection, query, sort=(("starts_at", 1), ("_id", 1)), hint=hint, limit=limit, cursor=cursor
        )
        return [_from_doc(Booking, d) for d in docs], next_cursor


# --- loans ------------------------------------------------------------------------------------


class LoanRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[LOANS]

    async def get(self, loan_id: str, session: AsyncClientSession | None = None) -> Loan:
        doc = await self.collection.find_one({"_id": loan_id}, session=session)
        if doc is None:
            raise NotFound(f"there is no loan {loan_id!r}")
        return _from_doc(Loan, doc)

    async def insert(self, loan: Loan, session: AsyncClientSession) -> None:
        await self.collection.insert_one(_to_doc(loan), session=session)

    async def replace(self, loan: Loan, expected_version: int, session: AsyncClientSession) -> bool:
        result = await self.collection.replace_one(
            {"_id": loan.id, "version": expected_version}, _to_doc(loan), session=session
        )
        return result.matched_count == 1

    async def active_for(self, asset_id: str, session: AsyncClientSession | None = None) -> list[Loan]:
        query = {"asset_id": asset_id, "status": {"$in": list(ACTIVE)}}
        docs = await self.collection.find(query, session=session).hint("by_asset").to_list()
        return [_from_doc(Loan, d) for d in docs]

    async def overdue_candidates(self, now: datetime, limit: int = 500) -> list[Loan]:
        query = {"status": "checked_out", "due_at": {"$lt": now}, "overdue_since": None}
        docs = await self.collection.find(query).sort([("due_at", 1)]).hint("by_status_due").limit(limit).to_list()
        return [_from_doc(Loan, d) for d in docs]

    async def page(
        self, query: dict[str, Any], *, hint: str, sort: Sequence[tuple[str, int]], limit: int, cursor: str | None
    ) -> tuple[list[Loan], str | None]:
        docs, next_cursor = await find_page(self.collection, query, sort=sort, hint=hint, limit=limit, cursor=cursor)
        return [_from_doc(Loan, d) for d in docs], next_cursor


# --- maintenance ------------------------------------------------------------------------------


class MaintenanceRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[MAINTENANCE]

    async def get(self, record_id: str, session: AsyncClientSession | None = None) -> MaintenanceRecord:
        doc = await self.collection.find_one({"_id": record_id}, session=session)
        if doc is None:
            raise NotFound(f"there is no maintenance record {record_id!r}")
        return _from_doc(MaintenanceRecord, doc)

    async def exists(self, record_id: str, session: AsyncClientSession | None = None) -> bool:
        return await self.collection.find_one({"_id": record_id}, {"_id": 1}, session=session) is not None

    async def insert(self, record: MaintenanceRecord, session: AsyncClientSession) -> None:
        await self.collection.insert_one(_to_doc(record), session=session)

    async def replace(self, record: MaintenanceRecord, expected_version: int, session: AsyncClientSession) -> bool:
        result = await self.collection.replace_one(
            {"_id": record.id, "version": expected_version}, _to_doc(record), session=session
        )
        return result.matched_count == 1

    async def for_asset(
        self, asset_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[MaintenanceRecord], str | None]:
        docs, next_cursor = await find_page(
            self.collection,
            {"asset_id": asset_id},
            sort=(("opened_at", -1), ("_id", 1)),
            hint="by_asset",
            limit=limit,
            cursor=cursor,
        )
        return [_from_doc(MaintenanceRecord, d) for d in docs], next_cursor


# --- assets of community value ----------------------------------------------------------------


class AcvRepository:
    """Nominations are stored as JSON (dates as ISO strings, which sort and compare as dates)."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[ACV]

    @staticmethod
    def _doc(nomination: Nomination) -> dict[str, Any]:
        doc = nomination.model_dump(mode="json", exclude={"id"})
        doc["_id"] = nomination.id
        return doc

    async def get(self, nomination_id: str, session: AsyncClientSession | None = None) -> Nomination:
        doc = await self.collection.find_one({"_id": nomination_id}, session=session)
        if doc is None:
            raise NotFound(f"there is no asset of community value entry {nomination_id!r}")
        return _from_doc(Nomination, doc)

    async def open_for_asset(self, asset_id: str, session: AsyncClientSession) -> Nomination | None:
        query = {"asset_id": asset_id, "status": {"$in": ["nominated", "listed"]}}
        doc = await self.collection.find_one(query, session=session, hint="by_asset")
        return _from_doc(Nomination, doc) if doc else None

    async def insert(self, nomination: Nomination, session: AsyncClientSession) -> None:
        await self.collection.insert_one(self._doc(nomination), session=session)

    async def replace(self, nomination: Nomination, expected_version: int, session: AsyncClientSession) -> bool:
        result = await self.collection.replace_one(
            {"_id": nomination.id, "version": expected_version}, self._doc(nomination), session=session
        )
        return result.matched_count == 1

    async def listed_ids(self, limit: int = 10_000) -> list[str]:
        docs = await self.collection.find({"status": "listed"}, {"_id": 1}).hint("by_status").limit(limit).to_list()
        return [d["_id"] for d in docs]

    async def page(
        self, *, hub_id: str | None, status: str, limit: int, cursor: str | None
    ) -> tuple[list[Nomination], str | None]:
        query: dict[str, Any] = {"status": status}
        if hub_id:
            query["hub_id"] = hub_id
        docs, next_cursor = await find_page(
            self.collection,
            query,
            sort=(("nominated_on", 1), ("_id", 1)),
            hint="by_hub" if hub_id else "by_status",
            limit=limit,
            cursor=cursor,
        )
        return [_from_doc(Nomination, d) for d in docs], next_cursor


# --- volunteers known from hub.volunteers.events ----------------------------------------------


class VolunteerDirectory:
    """Who may borrow as a volunteer: opaque ids, hub and status only (no personal data)."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[VOLUNTEERS]

    async def status_of(self, volunteer_id: str, session: AsyncClientSession | None = None) -> str | None:
        doc = await self.collection.find_one({"_id": volunteer_id}, session=session)
        return doc["status"] if doc else None

    async def record(
        self, volunteer_id: str, hub_id: str, status: str, at: datetime, session: AsyncClientSession
    ) -> bool:
        """Store the status as of ``at``, unless a later event was applied already."""
        current = await self.collection.find_one({"_id": volunteer_id}, session=session)
        if current is not None and current["updated_at"] > at:
            return False
        await self.collection.replace_one(
            {"_id": volunteer_id},
            {"_id": volunteer_id, "hub_id": hub_id, "status": status, "updated_at": at},
            upsert=True,
            session=session,
        )
        return True

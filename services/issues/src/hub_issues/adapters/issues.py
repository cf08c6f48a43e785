"""The ``issues`` collection: the :class:`Issue` documents, their indexes, and the queries beside them.

A document is the issue's fields plus what only storage needs, kept by :meth:`IssueRepository.to_document`:
``_id``, ``location`` (a GeoJSON point, 2dsphere), ``search_terms`` (words for text search without
text indexes) and, on a precisely placed open issue, ``near_key`` (the duplicate search's grid key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, GEOSPHERE, IndexModel

from hub_common.http import PageQuery
from hub_common.insight import InsightScope, day_key
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_issues.domain import text
from hub_issues.domain.duplicates import Nearby
from hub_issues.domain.geo import EARTH_RADIUS_M, grid_cell, grid_cells_around, point
from hub_issues.domain.issue import Issue
from hub_issues.domain.statistics import Outcome

ISSUES = "issues"
CLOSED_WITH_REPORTER = "closed_with_reporter"
FEEDBACK_RECEIVED = "hub_feedback_received"

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        ISSUES,
        (
            IndexModel([("requested_at", DESCENDING), ("_id", DESCENDING)], name="newest"),
            IndexModel([("hub_id", ASCENDING), ("requested_at", DESCENDING), ("_id", DESCENDING)], name="hub_newest"),
            IndexModel(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("requested_at", DESCENDING), ("_id", DESCENDING)],
                name="hub_status_newest",
            ),
            IndexModel(
                [("service_code", ASCENDING), ("requested_at", DESCENDING), ("_id", DESCENDING)], name="code_newest"
            ),
            IndexModel(
                [("hub_id", ASCENDING), ("service_code", ASCENDING), ("requested_at", DESCENDING), ("_id", DESCENDING)],
                name="hub_code_newest",
            ),
            IndexModel([("open", ASCENDING), ("requested_at", DESCENDING), ("_id", DESCENDING)], name="open_newest"),
            IndexModel([("search_terms", ASCENDING), ("requested_at", DESCENDING)], name="search_terms"),
            IndexModel([("location", GEOSPHERE), ("service_code", ASCENDING), ("open", ASCENDING)], name="near"),
            IndexModel([("near_key", ASCENDING)], name="near_key", sparse=True),
            IndexModel(
                [
                    ("hub_id", ASCENDING),
                    ("open", ASCENDING),
                    ("support_count", DESCENDING),
                    ("requested_at", ASCENDING),
                ],
                name="priorities",
            ),
            IndexModel(
                [("hub_id", ASCENDING), ("fixed_at", DESCENDING), ("_id", DESCENDING)],
                name="you_said_we_did",
            ),
            IndexModel([("open", ASCENDING), ("overdue", ASCENDING), ("expected_at", ASCENDING)], name="overdue_sweep"),
            IndexModel([("feedback_state", ASCENDING), ("fixed_at", ASCENDING)], name="feedback_sweep"),
            IndexModel(
                [("hub_id", ASCENDING), ("assignee", ASCENDING), ("requested_at", DESCENDING), ("_id", DESCENDING)],
                name="hub_assignee_newest",
            ),
            IndexModel([("reporter_id", ASCENDING)], name="reporter"),
            # Retention: closed reports still linked to their reporter, oldest closed first.
            IndexModel(
                [("closed_at", ASCENDING)],
                name=CLOSED_WITH_REPORTER,
                partialFilterExpression={"reporter_id": {"$exists": True}},
            ),
            IndexModel([("followers", ASCENDING)], name="followers"),
            IndexModel([("supporters", ASCENDING)], name="supporters"),
            IndexModel([("partner_key", ASCENDING)], name="partner_key", unique=True, sparse=True),
            IndexModel([("photos.id", ASCENDING)], name="photos"),
            # Staff insight: a hub's questionnaire answers by when they came (only answered issues).
            IndexModel(
                [("hub_id", ASCENDING), ("feedback.received_at", ASCENDING)],
                name=FEEDBACK_RECEIVED,
                partialFilterExpression={"feedback.received_at": {"$exists": True}},
            ),
        ),
    ),
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "fixed_at >= EPOCH": fixed issues only, as an index range
ISSUE_SORT = [("requested_at", DESCENDING), ("_id", DESCENDING)]
PRIORITY_SORT = [("support_count", DESCENDING), ("requested_at", ASCENDING)]
FIX_SORT = [("fixed_at", DESCENDING), ("_id", DESCENDING)]
NEAR_CANDIDATES = 2000  # at most this many issues of the cells around a report are compared

# Fields an issue only has once something happened: absent from the document until then (a
# reopen removes the fix's fields again), as every document written so far has them.
ABSENT_UNTIL_SET = frozenset(
    {
        "assignee",
        "partner_key",
        "overdue_at",
        "fixed_at",
        "fix_note",
        "time_to_fix_h",
        "fixed_on_time",
        "closed_at",
        "reason",
        "duplicate_of",
        "feedback_requested_at",
        "feedback_respond_by",
        "feedback",
        "reporter_id",  # absent once the reporter is forgotten: the report leaves "closed_with_reporter"
    }
)


def near_key(code: str, cell: tuple[int, int]) -> str:
    """The duplicate-search key of a precisely placed open issue: its category and grid cell.

    An issue loses it when it closes and gets it back when reopened, so the search reads only the
    open issues of a few cells however many years of closed ones lie there.
    """
    return f"{code}|{cell[0]}|{cell[1]}"


@dataclass(frozen=True)
class IssueQuery:
    """A search of issues (every filter optional); newest first."""

    hub_id: str | None = None
    statuses: list[str] | None = None
    service_codes: list[str] | None = None
    open: bool | None = None
    near: tuple[float, float, float] | None = None  # lat, lon, radius in metres
    words: list[str] | None = None  # normalised search terms, all required
    since: datetime | None = None
    until: datetime | None = None
    ids: list[str] | None = None
    assignee: str | None = None
    overdue_at: datetime | None = None  # open and expected before this time (the staff console's "overdue")

    def filter(self) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if self.ids:
            query["_id"] = {"$in": self.ids}
        if self.hub_id:
            query["hub_id"] = self.hub_id
        if self.statuses:
            query["status"] = {"$in": self.statuses}
        if self.service_codes:
            query["service_code"] = {"$in": self.service_codes}
        if self.open is not None:
            query["open"] = self.open
        if self.near:
            lat, lon, radius_m = self.near
            query["location"] = {"$geoWithin": {"$centerSphere": [[lon, lat], radius_m / EARTH_RADIUS_M]}}
        if self.words:
            # One term as an equality: SecantusDB's planner uses the multikey index for it but not for $all.
            query["search_terms"] = self.words[0] if len(self.words) == 1 else {"$all": self.words}
        if self.since or self.until:
            query["requested_at"] = {
                **({"$gte": self.since} if self.since else {}),
                **({"$lte": self.until} if self.until else {}),
            }
        if self.assignee is not None:
            query["assignee"] = self.assignee
        if self.overdue_at is not None:
            query["open"] = True
            query["expected_at"] = {"$lt": self.overdue_at}
        return query


def search_index(query: dict[str, Any]) -> str | None:
    """The index serving an issue search, most selective filter first.

    Named as a hint because our development database's planner scans the collection for a cursor
    page (the keyset ``$or``) instead of using the index it picks for the first page. A search
    near a point needs none (the planner takes the 2dsphere index) and SecantusDB fails on a hinted
    ``$geoWithin``.
    """
    if "location" in query:
        return None
    if "search_terms" in query:
        return "search_terms"
    if "hub_id" in query:
        if "status" in query:
            return "hub_status_newest"
        if "assignee" in query:
            return "hub_assignee_newest"
        return "hub_code_newest" if "service_code" in query else "hub_newest"
    if "service_code" in query:
        return "code_newest"
    return "newest"


class IssueRepository(Repository[Issue]):
    collection_name = ISSUES
    model = Issue
    noun = "issue"

    def to_document(self, item: Issue) -> dict[str, Any]:
        absent = {name for name in ABSENT_UNTIL_SET if getattr(item, name) is None}
        doc = item.model_dump(exclude={"id", "history", *absent})
        doc = {"_id": item.id, **doc, "history": [entry.recorded() for entry in item.history]}
        doc["location"] = point(item.lat, item.lon)
        doc["search_terms"] = text.terms(item.id, item.description, item.service_name, item.address, item.zipcode)
        if item.location_precision == "point" and item.open:
            doc["near_key"] = near_key(item.service_code, grid_cell(item.lat, item.lon))
        return doc

    async def exists(self, issue_id: str) -> bool:
        return await self.collection.find_one({"_id": issue_id}, {"_id": 1}) is not None

    # -- lists -----------------------------------------------------------------------------------

    async def search(self, query: IssueQuery, paging: PageQuery) -> tuple[list[Issue], str | None]:
        """A cursor page of a search, newest first, on the index :func:`search_index` names."""
        mongo_query = query.filter()
        return await self.page(
            mongo_query, sort=ISSUE_SORT, limit=paging.limit, cursor=paging.cursor, hint=search_index(mongo_query)
        )

    async def newest(self, query: IssueQuery, limit: int) -> list[Issue]:
        """The newest issues of a search, at most ``limit`` (Open311 lists: one answer, no cursor)."""
        docs = await self.collection.find(query.filter()).sort(ISSUE_SORT).limit(limit).to_list()
        return [self.from_document(d) for d in docs]

    async def priorities(self, hub_id: str, paging: PageQuery) -> tuple[list[Issue], str | None]:
        """A hub's open issues, most supported first, then oldest."""
        return await self.page(
            {"hub_id": hub_id, "open": True},
            sort=PRIORITY_SORT,
            limit=paging.limit,
            cursor=paging.cursor,
            hint="priorities",
        )

    async def fixed(self, hub_id: str, paging: PageQuery) -> tuple[list[Issue], str | None]:
        """A hub's fixed issues, newest fix first."""
        return await self.page(
            {"hub_id": hub_id, "fixed_at": {"$gte": EPOCH}},
            sort=FIX_SORT,
            limit=paging.limit,
            cursor=paging.cursor,
            hint="you_said_we_did",
        )

    async def outcomes(self, hub_id: str, since: datetime, until: datetime) -> list[Outcome]:
        """What the area statistics need of each issue a hub received in the period (hub_newest)."""
        cursor = self.collection.find(
            {"hub_id": hub_id, "requested_at": {"$gte": since, "$lte": until}},
            {"service_code": 1, "service_name": 1, "open": 1, "time_to_fix_h": 1, "fixed_on_time": 1},
        )
        return [
            Outcome(
                service_code=doc["service_code"],
                service_name=doc["service_name"],
                open=doc["open"],
                time_to_fix_h=doc.get("time_to_fix_h"),
                fixed_on_time=doc.get("fixed_on_time"),
            )
            async for doc in cursor
        ]

    # -- staff insight (bounded periods, each on an index led by the hub and the time grouped) -----

    async def _grouped(self, match: dict[str, Any], group: dict[str, Any], hint: str) -> list[dict[str, Any]]:
        pipeline = [{"$match": match}, {"$group": group}, {"$sort": {"_id": 1}}]
        return await (await self.collection.aggregate(pipeline, hint=hint)).to_list()

    async def opened_per_day(self, scope: InsightScope) -> dict[str, int]:
        """Issues the hubs received per UTC day of the period (hub_newest)."""
        match = {"hub_id": {"$in": list(scope.hub_ids)}, "requested_at": {"$gte": scope.start_at, "$lt": scope.end_at}}
        rows = await self._grouped(match, {"_id": day_key("requested_at"), "n": {"$sum": 1}}, "hub_newest")
        return {row["_id"]: row["n"] for row in rows}

    def _fixed_in(self, scope: InsightScope) -> dict[str, Any]:
        return {"hub_id": {"$in": list(scope.hub_ids)}, "fixed_at": {"$gte": scope.start_at, "$lt": scope.end_at}}

    async def fixed_per_day(self, scope: InsightScope) -> dict[str, int]:
        """Issues fixed per UTC day of the period (you_said_we_did)."""
        rows = await self._grouped(
            self._fixed_in(scope), {"_id": day_key("fixed_at"), "n": {"$sum": 1}}, "you_said_we_did"
        )
        return {row["_id"]: row["n"] for row in rows}

    async def fix_hours_by_category(self, scope: InsightScope) -> list[tuple[str, str, list[float]]]:
        """Per category: its name and the hours to fix of each issue fixed in the period (you_said_we_did)."""
        group = {"_id": "$service_code", "name": {"$first": "$service_name"}, "hours": {"$push": "$time_to_fix_h"}}
        rows = await self._grouped(self._fixed_in(scope), group, "you_said_we_did")
        return [(row["_id"], row["name"], [h for h in row["hours"] if h is not None]) for row in rows]

    async def satisfaction_per_day(self, scope: InsightScope) -> dict[str, tuple[int, int]]:
        """Per UTC day: how many answers rated the fix (1-5) and the sum of their ratings (hub_feedback_received)."""
        match = {
            "hub_id": {"$in": list(scope.hub_ids)},
            "feedback.received_at": {"$gte": scope.start_at, "$lt": scope.end_at},
            "feedback.satisfaction": {"$gte": 1},
        }
        group = {"_id": day_key("feedback.received_at"), "n": {"$sum": 1}, "total": {"$sum": "$feedback.satisfaction"}}
        rows = await self._grouped(match, group, FEEDBACK_RECEIVED)
        return {row["_id"]: (row["n"], row["total"]) for row in rows}

    async def overdue_count(self, hub_ids: tuple[str, ...]) -> int:
        """Open issues of the hubs past their expected time now (the hub and ``open`` of priorities)."""
        query = {"hub_id": {"$in": list(hub_ids)}, "open": True, "overdue": True}
        return await self.collection.count_documents(query, hint="priorities")

    async def nearby(self, lat: float, lon: float, code: str, radius_m: float) -> list[Nearby]:
        """Issues of one category in the grid cells within ``radius_m``: the caller keeps open ones in range.

        Only precisely placed open issues have a ``near_key`` (address-only reports sit at the hub
        centre and are not comparable). The query is a plain ``$in`` on one indexed field, so it
        costs the same at 100 issues or 100 000.
        """
        keys = [near_key(code, cell) for cell in grid_cells_around(lat, lon, radius_m)]
        projection = {"_id": 1, "service_code": 1, "status": 1, "lat": 1, "lon": 1}
        docs = await self.collection.find({"near_key": {"$in": keys}}, projection).limit(NEAR_CANDIDATES).to_list()
        return [Nearby(d["_id"], d["service_code"], d["status"], d["lat"], d["lon"]) for d in docs]

    # -- the sweep -------------------------------------------------------------------------------

    async def overdue(self, now: datetime, batch: int) -> list[Issue]:
        """Open issues past their expected time and not flagged yet (overdue_sweep)."""
        query = {"open": True, "overdue": False, "expected_at": {"$lt": now}}
        return [self.from_document(d) for d in await self.collection.find(query).limit(batch).to_list()]

    async def feedback_due(self, fixed_before: datetime, batch: int) -> list[Issue]:
        """Fixed issues whose reporter is to be asked for feedback (feedback_sweep)."""
        query = {"feedback_state": "pending", "fixed_at": {"$lte": fixed_before}}
        return [self.from_document(d) for d in await self.collection.find(query).limit(batch).to_list()]

    # -- by person and by partner ------------------------------------------------------------------

    async def involving(self, person_ids: list[str], session: Session) -> list[Issue]:
        """Issues any of these ids (one person's) reported, supports or follows (one query per index:
        reporter, supporters, followers), each once."""
        found: dict[str, Issue] = {}
        for field in ("reporter_id", "supporters", "followers"):
            async for doc in self.collection.find({field: {"$in": person_ids}}, session=session):
                found.setdefault(doc["_id"], self.from_document(doc))
        return list(found.values())

    async def closed_with_reporter(self, closed_before: datetime, limit: int = 200) -> list[str]:
        """Reports closed before ``closed_before`` that still name their reporter, oldest first."""
        query = {"open": False, "closed_at": {"$lt": closed_before}, "reporter_id": {"$exists": True}}
        # Named: SecantusDB's planner would scan for this filter (MongoDB picks the partial index itself).
        found = self.collection.find(query, {"_id": 1}).hint(CLOSED_WITH_REPORTER).sort("closed_at", ASCENDING)
        return [doc["_id"] async for doc in found.limit(limit)]

    # -- photos ----------------------------------------------------------------------------------------

    async def with_photo(self, photo_id: str) -> Issue | None:
        """The issue a photo is attached to (the ``photos`` index)."""
        doc = await self.collection.find_one({"photos.id": photo_id})
        return self.from_document(doc) if doc is not None else None

    async def attached_photos(self, photo_ids: list[str], session: Session = None) -> set[str]:
        """Which of these photos some issue has attached already."""
        cursor = self.collection.find({"photos.id": {"$in": photo_ids}}, {"photos.id": 1}, session=session)
        return {photo["id"] async for doc in cursor for photo in doc["photos"]} & set(photo_ids)

    async def has_partner_report(self, partner_key: str, session: Session) -> bool:
        """Whether a partner's report (``<ce_source>|<partner_ref>``) was ingested already."""
        return await self.collection.find_one({"partner_key": partner_key}, {"_id": 1}, session=session) is not None

"""MongoDB collections of the issues service, their indexes, and the queries the use cases need.

Collections: ``hubs`` (GeoJSON boundaries, 2dsphere), ``categories`` (the catalogue per hub),
``issues`` (reports and their workflow), ``assets`` (read model of the assets service's events).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, GEOSPHERE, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.mongo import IndexSpec
from hub_issues.domain.catalogue import Attribute, AttributeValue, Category
from hub_issues.domain.geo import EARTH_RADIUS_M, grid_cells_around

HUBS = "hubs"
CATEGORIES = "categories"
ISSUES = "issues"
ASSETS = "assets"

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        HUBS,
        (
            # Reports locate their hub in memory (ReferenceData); the index makes MongoDB refuse a
            # boundary it could not index, which is also one its geometry would misread.
            IndexModel([("boundary", GEOSPHERE)], name="boundary_2dsphere"),
        ),
    ),
    IndexSpec(
        CATEGORIES,
        (
            IndexModel([("hub_id", ASCENDING), ("code", ASCENDING)], name="hub_code", unique=True),
            IndexModel([("code", ASCENDING), ("hub_id", ASCENDING)], name="code_hub"),
        ),
    ),
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
            IndexModel([("followers", ASCENDING)], name="followers"),
            IndexModel([("supporters", ASCENDING)], name="supporters"),
            IndexModel([("partner_key", ASCENDING)], name="partner_key", unique=True, sparse=True),
        ),
    ),
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "fixed_at >= EPOCH": fixed issues only, as an index range
ISSUE_SORT = [("requested_at", DESCENDING), ("_id", DESCENDING)]


# --- hubs -------------------------------------------------------------------------------------


async def hub(db: AsyncDatabase, hub_id: str, session: AsyncClientSession | None = None) -> dict[str, Any] | None:
    return await db[HUBS].find_one({"_id": hub_id}, session=session)


async def all_hubs(db: AsyncDatabase) -> dict[str, dict[str, Any]]:
    """Every hub with its boundary: a council has tens of hubs, not thousands."""
    return {d["_id"]: d async for d in db[HUBS].find({})}


# --- categories -------------------------------------------------------------------------------


def category_id(hub_id: str, code: str) -> str:
    return f"{hub_id}:{code}"


def category_from_doc(doc: dict[str, Any]) -> Category:
    return Category(
        hub_id=doc["hub_id"],
        code=doc["code"],
        name=doc["name"],
        description=doc.get("description", ""),
        group=doc.get("group", ""),
        keywords=tuple(doc.get("keywords", ())),
        target_response_hours=doc.get("target_response_hours"),
        active=doc.get("active", True),
        attributes=tuple(
            Attribute(
                code=a["code"],
                datatype=a["datatype"],
                description=a["description"],
                required=a.get("required", False),
                order=a.get("order", 0),
                variable=a.get("variable", True),
                datatype_description=a.get("datatype_description", ""),
                values=tuple(AttributeValue(v["key"], v["name"]) for v in a.get("values", ())),
            )
            for a in doc.get("attributes", ())
        ),
    )


def category_fields(category: Category) -> dict[str, Any]:
    return {
        "hub_id": category.hub_id,
        "code": category.code,
        "name": category.name,
        "description": category.description,
        "group": category.group,
        "keywords": list(category.keywords),
        "target_response_hours": category.target_response_hours,
        "active": category.active,
        "attributes": [
            {
                "code": a.code,
                "datatype": a.datatype,
                "description": a.description,
                "required": a.required,
                "order": a.order,
                "variable": a.variable,
                "datatype_description": a.datatype_description,
                "values": [{"key": v.key, "name": v.name} for v in a.values],
            }
            for a in category.attributes
        ],
    }


async def category_doc(
    db: AsyncDatabase, hub_id: str, code: str, session: AsyncClientSession | None = None
) -> dict[str, Any] | None:
    return await db[CATEGORIES].find_one({"_id": category_id(hub_id, code)}, session=session)


# --- issues -----------------------------------------------------------------------------------


async def issue(db: AsyncDatabase, issue_id: str, session: AsyncClientSession | None = None) -> dict[str, Any] | None:
    return await db[ISSUES].find_one({"_id": issue_id}, session=session)


def near_key(code: str, cell: tuple[int, int]) -> str:
    """The duplicate-search key of a precisely placed open issue: its category and grid cell.

    An issue loses it when it closes and gets it back when reopened, so the search reads only the
    open issues of a few cells however many years of closed ones lie there.
    """
    return f"{code}|{cell[0]}|{cell[1]}"


async def issues_near(db: AsyncDatabase, lat: float, lon: float, code: str, radius_m: float) -> list[dict]:
    """Issues of one category in the grid cells within ``radius_m``: the caller keeps open ones in range.

    Only precisely placed issues have a ``near_key`` (address-only reports sit at the hub centre
    and are not comparable). The query is a plain ``$in`` on one indexed field, so it costs the
    same at 100 issues or 100 000.
    """
    keys = [near_key(code, cell) for cell in grid_cells_around(lat, lon, radius_m)]
    projection = {"_id": 1, "service_code": 1, "status": 1, "lat": 1, "lon": 1}
    return await db[ISSUES].find({"near_key": {"$in": keys}}, projection).limit(2000).to_list()


def issue_query(
    *,
    hub_id: str | None = None,
    statuses: list[str] | None = None,
    service_codes: list[str] | None = None,
    open_: bool | None = None,
    near: tuple[float, float, float] | None = None,
    terms: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    ids: list[str] | None = None,
) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if ids:
        query["_id"] = {"$in": ids}
    if hub_id:
        query["hub_id"] = hub_id
    if statuses:
        query["status"] = {"$in": statuses}
    if service_codes:
        query["service_code"] = {"$in": service_codes}
    if open_ is not None:
        query["open"] = open_
    if near:
        lat, lon, radius_m = near
        query["location"] = {"$geoWithin": {"$centerSphere": [[lon, lat], radius_m / EARTH_RADIUS_M]}}
    if terms:
        # One term as an equality: SecantusDB's planner uses the multikey index for it but not for $all.
        query["search_terms"] = terms[0] if len(terms) == 1 else {"$all": terms}
    if since or until:
        query["requested_at"] = {
            **({"$gte": since} if since else {}),
            **({"$lte": until} if until else {}),
        }
    return query


async def latest_asset(db: AsyncDatabase, asset_id: str) -> dict[str, Any] | None:
    return await db[ASSETS].find_one({"_id": asset_id})

"""MongoDB storage of the volunteers service: collections, indexes, and load/save of the domain models.

Every list query of the API is served by one of the indexes declared here (``INDEXES``); list
indexes end with ``_id`` because cursor pages sort by it last, so pages need no in-memory sort.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.collation import Collation

from hub_common.errors import NotFound
from hub_common.mongo import IndexSpec
from hub_volunteers.domain.hours import HoursEntry
from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.shifts import Shift, Signup
from hub_volunteers.domain.skills import Skill
from hub_volunteers.domain.venues import Venue
from hub_volunteers.domain.volunteers import Volunteer

VOLUNTEERS = "volunteers"
SKILLS = "skills"
ROLES = "roles"
SHIFTS = "shifts"
SIGNUPS = "signups"
HOURS = "hours"
AWARDS = "awards"
VENUES = "venues"
EQUIPMENT = "equipment"

CASE_INSENSITIVE = Collation(locale="en", strength=2)

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        VOLUNTEERS,
        (
            # Duplicate sign-ups with the same email (any letter case) are refused by the database.
            IndexModel(
                [("email", ASCENDING)],
                name="email_unique_ci",
                unique=True,
                collation=CASE_INSENSITIVE,
                partialFilterExpression={"email": {"$type": "string"}},
            ),
            IndexModel(
                [("sub", ASCENDING)],
                name="sub_unique",
                unique=True,
                partialFilterExpression={"sub": {"$type": "string"}},
            ),
            IndexModel(
                [("partner_ref", ASCENDING)],
                name="partner_ref_unique",
                unique=True,
                partialFilterExpression={"partner_ref": {"$type": "string"}},
            ),
            IndexModel(
                [("calendar_token", ASCENDING)],
                name="calendar_token_unique",
                unique=True,
                partialFilterExpression={"calendar_token": {"$type": "string"}},
            ),
            # The staff pipeline: a hub's volunteers by status, oldest first.
            IndexModel(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                name="pipeline_v1",
            ),
            IndexModel([("accreditations.expires_on", ASCENDING)], name="accreditation_expiry"),
            IndexModel([("checks.renewal_due", ASCENDING)], name="check_renewal"),
        ),
    ),
    IndexSpec(
        SKILLS,
        (
            IndexModel([("name", ASCENDING)], name="name_unique_ci", unique=True, collation=CASE_INSENSITIVE),
            IndexModel([("category", ASCENDING), ("name", ASCENDING), ("_id", ASCENDING)], name="by_category_v1"),
        ),
    ),
    IndexSpec(
        ROLES,
        (
            IndexModel(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("title", ASCENDING), ("_id", ASCENDING)],
                name="by_hub_status_v1",
            ),
            IndexModel([("search_terms", ASCENDING)], name="search_terms"),
            IndexModel([("hub_id", ASCENDING), ("issue_categories", ASCENDING)], name="by_issue_category"),
        ),
    ),
    IndexSpec(
        SHIFTS,
        (
            IndexModel(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)],
                name="by_hub_time_v1",
            ),
            IndexModel([("role_id", ASCENDING), ("starts_at", ASCENDING)], name="by_role_time"),
            IndexModel([("status", ASCENDING), ("starts_at", ASCENDING)], name="open_by_time"),
        ),
    ),
    IndexSpec(
        SIGNUPS,
        (
            # Roster and waitlist order of a shift.
            IndexModel(
                [("shift_id", ASCENDING), ("status", ASCENDING), ("queued_at", ASCENDING), ("_id", ASCENDING)],
                name="roster_v1",
            ),
            IndexModel(
                [("volunteer_id", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)], name="by_volunteer_v1"
            ),
        ),
    ),
    IndexSpec(
        HOURS,
        (
            IndexModel(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                name="queue_v1",
            ),
            IndexModel(
                [("volunteer_id", ASCENDING), ("worked_on", DESCENDING), ("_id", ASCENDING)], name="by_volunteer_v1"
            ),
            IndexModel(
                [("partner_ref", ASCENDING)],
                name="partner_ref_unique",
                unique=True,
                partialFilterExpression={"partner_ref": {"$type": "string"}},
            ),
        ),
    ),
    IndexSpec(
        AWARDS,
        (
            IndexModel(
                [("volunteer_id", ASCENDING), ("given_at", DESCENDING), ("_id", ASCENDING)], name="by_volunteer_v1"
            ),
            IndexModel(
                [("hub_id", ASCENDING), ("public", ASCENDING), ("given_at", DESCENDING), ("_id", ASCENDING)],
                name="wall_v1",
            ),
        ),
    ),
    IndexSpec(
        EQUIPMENT,
        (IndexModel([("hub_id", ASCENDING), ("name", ASCENDING), ("_id", ASCENDING)], name="by_hub_v1"),),
    ),
    IndexSpec(
        VENUES, (IndexModel([("hub_id", ASCENDING), ("name", ASCENDING), ("_id", ASCENDING)], name="by_hub_v1"),)
    ),
)

M = TypeVar("M", bound=BaseModel)


def to_doc(model: BaseModel, **extra: Any) -> dict[str, Any]:
    """A pydantic model as a Mongo document (``id`` -> ``_id``; dates as ISO strings, BSON has none)."""
    doc = _bsonable(model.model_dump())
    doc["_id"] = doc.pop("id")
    doc.update(extra)
    return doc


def from_doc(cls: type[M], doc: dict[str, Any]) -> M:
    data = {k: v for k, v in doc.items() if k != "_id"}  # fields a model does not declare are ignored
    return cls.model_validate({"id": doc["_id"], **data})


def _bsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _bsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_bsonable(v) for v in value]
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat") and not isinstance(value, datetime):  # datetime.time
        return value.isoformat()
    return value


class Repository:
    """Loads and saves the aggregates; writes take the transaction's session."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def _get(self, collection: str, cls: type[M], key: str, session: AsyncClientSession | None, what: str) -> M:
        doc = await self.db[collection].find_one({"_id": key}, session=session)
        if doc is None:
            raise NotFound(f"there is no {what} {key!r}")
        return from_doc(cls, doc)

    async def volunteer(self, key: str, session: AsyncClientSession | None = None) -> Volunteer:
        return await self._get(VOLUNTEERS, Volunteer, key, session, "volunteer")

    async def volunteer_by_sub(self, sub: str, session: AsyncClientSession | None = None) -> Volunteer | None:
        doc = await self.db[VOLUNTEERS].find_one({"sub": sub}, session=session)
        return from_doc(Volunteer, doc) if doc else None

    async def role(self, key: str, session: AsyncClientSession | None = None) -> Role:
        return await self._get(ROLES, Role, key, session, "role")

    async def shift(self, key: str, session: AsyncClientSession | None = None) -> Shift:
        return await self._get(SHIFTS, Shift, key, session, "shift")

    async def claim_shift(self, key: str, session: AsyncClientSession) -> Shift:
        return await self._claim(SHIFTS, Shift, key, session, "shift")

    async def _claim(self, collection: str, cls: type[M], key: str, session: AsyncClientSession, what: str) -> M:
        """Read a hot document for update, as the first write of the transaction: concurrent
        writers of it conflict at once (cheap to retry) rather than after all their work."""
        doc = await self.db[collection].find_one_and_update(
            {"_id": key},
            {"$set": {"claimed_at": datetime.now(UTC)}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if doc is None:
            raise NotFound(f"there is no {what} {key!r}")
        return from_doc(cls, doc)

    async def signup(self, key: str, session: AsyncClientSession | None = None) -> Signup:
        return await self._get(SIGNUPS, Signup, key, session, "sign-up")

    async def find_signup(self, key: str, session: AsyncClientSession | None = None) -> Signup | None:
        doc = await self.db[SIGNUPS].find_one({"_id": key}, session=session)
        return from_doc(Signup, doc) if doc else None

    async def hours(self, key: str, session: AsyncClientSession | None = None) -> HoursEntry:
        return await self._get(HOURS, HoursEntry, key, session, "hours entry")

    async def skill(self, key: str, session: AsyncClientSession | None = None) -> Skill:
        return await self._get(SKILLS, Skill, key, session, "skill")

    async def missing_skills(self, skill_ids: list[str], session: AsyncClientSession | None = None) -> list[str]:
        if not skill_ids:
            return []
        found = {d["_id"] async for d in self.db[SKILLS].find({"_id": {"$in": skill_ids}}, {"_id": 1}, session=session)}
        return [s for s in skill_ids if s not in found]

    async def venue(self, key: str, session: AsyncClientSession | None = None) -> Venue | None:
        doc = await self.db[VENUES].find_one({"_id": key}, session=session)
        return from_doc(Venue, doc) if doc else None

    async def equipment(self, keys: list[str], session: AsyncClientSession | None = None) -> list[Venue]:
        docs = await self.db[EQUIPMENT].find({"_id": {"$in": keys}}, session=session).to_list()
        return [from_doc(Venue, d) for d in docs]

    async def save(self, collection: str, model: BaseModel, session: AsyncClientSession, **extra: Any) -> None:
        doc = to_doc(model, **extra)
        await self.db[collection].replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)

    async def insert(self, collection: str, model: BaseModel, session: AsyncClientSession, **extra: Any) -> None:
        await self.db[collection].insert_one(to_doc(model, **extra), session=session)

"""The volunteers collection: one document per volunteer, with its checks, skills and accreditations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pymongo import ASCENDING, IndexModel
from pymongo.collation import Collation

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_volunteers.domain.volunteers import Status, Volunteer

VOLUNTEERS = "volunteers"
CASE_INSENSITIVE = Collation(locale="en", strength=2)
PIPELINE = "pipeline_v1"  # the staff pipeline: a hub's volunteers by status, oldest first

# Records by status and last change: the archived and the inactive ones the retention schedule erases.
ARCHIVED_BY_AGE = "archived_by_age"

INDEXES = (
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
            IndexModel(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                name=PIPELINE,
            ),
            # Retention: records archived and not yet erased, oldest change first.
            IndexModel(
                [("status", ASCENDING), ("erased_at", ASCENDING), ("updated_at", ASCENDING)], name=ARCHIVED_BY_AGE
            ),
            IndexModel([("accreditations.expires_on", ASCENDING)], name="accreditation_expiry"),
            IndexModel([("checks.renewal_due", ASCENDING)], name="check_renewal"),
        ),
    ),
)


@dataclass(frozen=True)
class SignInAccount:
    """What a sign-in link request needs to know about the volunteer with an email address."""

    id: str
    sub: str | None
    hub_id: str
    status: str
    erased: bool
    last_link_at: datetime | None


class VolunteerRepository(Repository[Volunteer]):
    collection_name = VOLUNTEERS
    model = Volunteer
    noun = "volunteer"

    async def by_sub(self, sub: str, session: Session = None) -> Volunteer | None:
        doc = await self.collection.find_one({"sub": sub}, session=session)
        return self.from_document(doc) if doc else None

    async def id_of_sub(self, sub: str, session: Session = None) -> str | None:
        doc = await self.collection.find_one({"sub": sub}, {"_id": 1}, session=session)
        return doc["_id"] if doc else None

    async def email_taken(self, email: str, *, ignore_id: str | None = None, session: Session = None) -> bool:
        """Whether another volunteer has this email, in any letter case."""
        query = {"email": email, **({"_id": {"$ne": ignore_id}} if ignore_id else {})}
        return (
            await self.collection.find_one(query, {"_id": 1}, collation=CASE_INSENSITIVE, session=session) is not None
        )

    async def sign_in_account(self, email: str, session: Session = None) -> SignInAccount | None:
        doc = await self.collection.find_one(
            {"email": email},
            {"sub": 1, "hub_id": 1, "status": 1, "erased_at": 1, "sign_in_link_at": 1},
            collation=CASE_INSENSITIVE,
            session=session,
        )
        if doc is None:
            return None
        return SignInAccount(
            id=doc["_id"],
            sub=doc.get("sub"),
            hub_id=doc["hub_id"],
            status=doc.get("status", "applicant"),
            erased=bool(doc.get("erased_at")),
            last_link_at=doc.get("sign_in_link_at"),
        )

    async def claim_sign_in_link(
        self, volunteer_id: str, last: datetime | None, at: datetime, session: Session = None
    ) -> bool:
        """Compare-and-set of the last link's time, so two requests at once send one email."""
        claimed = await self.collection.update_one(
            {"_id": volunteer_id, "sign_in_link_at": last}, {"$set": {"sign_in_link_at": at}}, session=session
        )
        return claimed.modified_count == 1

    async def partner_ref_known(self, partner_ref: str, session: Session = None) -> bool:
        return await self.collection.find_one({"partner_ref": partner_ref}, {"_id": 1}, session=session) is not None

    async def by_partner_ref(self, partner_ref: str, session: Session = None) -> Volunteer | None:
        doc = await self.collection.find_one({"partner_ref": partner_ref}, session=session)
        return self.from_document(doc) if doc else None

    async def id_of_calendar(self, token: str) -> str | None:
        doc = await self.collection.find_one({"calendar_token": token}, {"_id": 1})
        return doc["_id"] if doc else None

    async def archived_before(self, cutoff: datetime, *, applications: bool = False, limit: int = 200) -> list[str]:
        """Records archived (left, or an application closed) and last changed before ``cutoff`` whose
        personal details are still held, oldest first; ``applications``: only those never approved
        (no approval on record, no approved hours: an application that was closed)."""
        query: dict = {"status": "archived", "erased_at": None, "updated_at": {"$lt": cutoff}}
        if applications:
            query |= {"approved_at": None, "approved_minutes": 0}
        # Named: SecantusDB's planner would scan for this filter (MongoDB picks this index itself).
        found = self.collection.find(query, {"_id": 1}).hint(ARCHIVED_BY_AGE).sort("updated_at", ASCENDING)
        return [doc["_id"] async for doc in found.limit(limit)]

    async def inactive_before(self, cutoff: datetime, *, noticed: bool, limit: int = 200) -> list[Volunteer]:
        """Inactive records with their personal details, not changed since ``cutoff`` (``noticed``: and
        told of their erasure before it; otherwise not told yet), oldest first."""
        query: dict = {"status": "inactive", "erased_at": None}
        if noticed:
            query["erasure_notice_at"] = {"$lt": cutoff}
        else:
            query |= {"updated_at": {"$lt": cutoff}, "erasure_notice_at": None}
        found = self.collection.find(query).hint(ARCHIVED_BY_AGE).sort("updated_at", ASCENDING)
        return [self.from_document(doc) for doc in await found.limit(limit).to_list()]

    async def names(self, ids: list[str]) -> dict[str, str]:
        return {d["_id"]: d["name"] async for d in self.collection.find({"_id": {"$in": ids}}, {"name": 1})}

    async def pipeline(self, hub_id: str, status: Status, paging: PageQuery) -> tuple[list[Volunteer], str | None]:
        # Named: the dev database scans the collection for a cursor page without the hint.
        return await self.page(
            {"hub_id": hub_id, "status": status},
            sort=[("created_at", 1)],
            limit=paging.limit,
            cursor=paging.cursor,
            hint=PIPELINE,
        )

    async def match_candidates(self, hub_id: str, limit: int) -> list[Volunteer]:
        """A hub's approved and active volunteers, longest-standing first (served by the pipeline index)."""
        found = self.collection.find({"hub_id": hub_id, "status": {"$in": ["approved", "active"]}})
        docs = await found.sort([("status", 1), ("created_at", 1)]).limit(limit).to_list()
        return [self.from_document(d) for d in docs]

    async def ids_with_dates_between(
        self, array: str, date_field: str, warned_field: str, start: date, end: date, limit: int
    ) -> list[str]:
        """Volunteers with an item of ``array`` dated ``start``..``end`` that has not been warned about yet."""
        soon = {date_field: {"$gte": start.isoformat(), "$lte": end.isoformat()}, warned_field: None}
        found = self.collection.find({array: {"$elemMatch": soon}}, {"_id": 1}).limit(limit)
        return [d["_id"] async for d in found]

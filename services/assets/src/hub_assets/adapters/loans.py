"""Equipment loans: the active loans a reservation is checked against, the overdue sweep, a hub's list."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING

from hub_assets.adapters.indexes import ix
from hub_assets.domain.loans import ACTIVE, Loan
from hub_common.insight import InsightScope, day_key
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session

LOANS = "loans"
BY_DUE = (("due_at", ASCENDING), ("_id", ASCENDING))
CHECKED_OUT = "by_hub_checked_out"

INDEXES = (
    IndexSpec(
        LOANS,
        (
            ix([("asset_id", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)], "by_asset"),
            ix([("status", ASCENDING), *BY_DUE], "by_status_due"),
            ix([("hub_id", ASCENDING), ("status", ASCENDING), *BY_DUE], "by_hub"),
            ix([("borrower_id", ASCENDING), *BY_DUE], "by_borrower"),  # a person's loans (privacy requests)
            ix([("hub_id", ASCENDING), ("checked_out_at", ASCENDING)], CHECKED_OUT),  # staff insight: use over time
        ),
    ),
)


class LoanRepository(Repository[Loan]):
    collection_name = LOANS
    model = Loan
    noun = "loan"

    async def active_for(self, asset_id: str, session: Session = None) -> list[Loan]:
        query = {"asset_id": asset_id, "status": {"$in": list(ACTIVE)}}
        docs = await self.collection.find(query, session=session).hint("by_asset").to_list()
        return [self.from_document(d) for d in docs]

    async def overdue_candidates(self, now: datetime, limit: int = 500) -> list[Loan]:
        """Checked out, past due and not announced yet, earliest due first."""
        query = {"status": "checked_out", "due_at": {"$lt": now}, "overdue_since": None}
        docs = await self.collection.find(query).sort([("due_at", 1)]).hint("by_status_due").limit(limit).to_list()
        return [self.from_document(d) for d in docs]

    async def in_hub(
        self, hub_id: str, status: str, *, limit: int, cursor: str | None
    ) -> tuple[list[Loan], str | None]:
        """A hub's loans in one status, by due time."""
        return await self.page(
            {"hub_id": hub_id, "status": status}, sort=BY_DUE, hint="by_hub", limit=limit, cursor=cursor
        )

    async def checked_out_per_day(self, scope: InsightScope) -> dict[str, int]:
        """Staff insight: per UTC day of the period, how many of the hubs' loans were handed over."""
        match = {
            "hub_id": {"$in": list(scope.hub_ids)},
            "checked_out_at": {"$gte": scope.start_at, "$lt": scope.end_at},
        }
        pipeline = [{"$match": match}, {"$group": {"_id": day_key("checked_out_at"), "loans": {"$sum": 1}}}]
        rows = await (await self.collection.aggregate(pipeline, hint=CHECKED_OUT)).to_list()
        return {row["_id"]: row["loans"] for row in rows}

    async def of_borrower(
        self, borrower_id: str, status: str | None, *, limit: int, cursor: str | None
    ) -> tuple[list[Loan], str | None]:
        """One borrower's loans (a resident's own requests), by due time, in one status or all."""
        query = {"borrower_id": borrower_id, **({"status": status} if status else {})}
        return await self.page(query, sort=BY_DUE, hint="by_borrower", limit=limit, cursor=cursor)

    async def of_borrowers(self, borrower_ids: list[str], session: Session) -> list[Loan]:
        """Every loan to any of these ids (one person's), by due time."""
        found = self.collection.find({"borrower_id": {"$in": borrower_ids}}, session=session).hint("by_borrower")
        return [self.from_document(d) for d in await found.to_list()]

    async def clear_notes(self, borrower_ids: list[str], session: Session) -> int:
        """Forget the free text kept on someone's loans (erasure); how many changed."""
        result = await self.collection.update_many(
            {"borrower_id": {"$in": borrower_ids}, "notes": {"$ne": ""}}, {"$set": {"notes": ""}}, session=session
        )
        return result.modified_count

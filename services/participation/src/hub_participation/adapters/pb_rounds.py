"""The ``pb_rounds`` and ``pb_proposals`` collections: participatory budgeting rounds and the proposals
submitted to them (each proposal its own document, so residents submitting at once do not contend
for the round)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_participation.domain.pb_proposal import Proposal, ProposalStatus
from hub_participation.domain.pb_round import Phase, Round

ROUNDS = "pb_rounds"
PROPOSALS = "pb_proposals"
NEWEST = [("created_at", DESCENDING), ("_id", DESCENDING)]
SUBMITTED = [("submitted_at", ASCENDING), ("_id", ASCENDING)]

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        ROUNDS,
        (
            IndexModel([("hub_id", ASCENDING), ("phase", ASCENDING), *NEWEST], name="hub_phase_newest"),
            IndexModel([("hub_id", ASCENDING), *NEWEST], name="hub_newest"),
            # The worker's look for rounds whose voting window has passed, every minute.
            IndexModel([("phase", ASCENDING), ("voting_closes_at", ASCENDING)], name="closing"),
        ),
    ),
    IndexSpec(
        PROPOSALS,
        (
            IndexModel([("round_id", ASCENDING), *SUBMITTED], name="round_submitted"),
            IndexModel([("round_id", ASCENDING), ("status", ASCENDING), *SUBMITTED], name="round_status_submitted"),
            IndexModel([("proposer_id", ASCENDING)], name="by_proposer"),
        ),
    ),
)


class RoundRepository(Repository[Round]):
    collection_name = ROUNDS
    model = Round
    noun = "budgeting round"

    async def in_hub(
        self, hub_id: str, phase: Phase | None, paging: PageQuery, *, drafts: bool
    ) -> tuple[list[Round], str | None]:
        """A hub's rounds, newest first: of one phase, or all (drafts only if ``drafts``)."""
        query: dict[str, Any] = {"hub_id": hub_id}
        if phase is not None:
            query["phase"] = phase
        elif not drafts:
            query["phase"] = {"$ne": "draft"}
        hint = "hub_phase_newest" if phase is not None else "hub_newest"  # $ne: filtered on the walk
        return await self.page(query, sort=NEWEST, limit=paging.limit, cursor=paging.cursor, hint=hint)

    async def due_to_close(self, now: datetime, limit: int = 100) -> list[Round]:
        """Rounds in voting whose window has passed (few: a hub runs one or two a year)."""
        query = {"phase": "voting", "voting_closes_at": {"$lte": now}}
        return [self.from_document(doc) async for doc in self.collection.find(query).hint("closing").limit(limit)]

    async def all_ids(self, session: Session = None) -> list[str]:
        """Every round's id (for erasure, which must find a person's ballots by their keyed ids)."""
        return [doc["_id"] async for doc in self.collection.find({}, {"_id": 1}, session=session)]


class ProposalRepository(Repository[Proposal]):
    collection_name = PROPOSALS
    model = Proposal
    noun = "proposal"

    async def in_round(
        self, round_id: str, status: ProposalStatus | None, paging: PageQuery
    ) -> tuple[list[Proposal], str | None]:
        query: dict[str, Any] = {"round_id": round_id}
        if status is not None:
            query["status"] = status
        hint = "round_status_submitted" if status is not None else "round_submitted"
        return await self.page(query, sort=SUBMITTED, limit=paging.limit, cursor=paging.cursor, hint=hint)

    async def all_in_round(self, round_id: str, session: Session = None) -> list[Proposal]:
        """Every proposal of a round (a round has tens, not thousands), in the order they came."""
        found = self.collection.find({"round_id": round_id}, session=session).sort(SUBMITTED).hint("round_submitted")
        return [self.from_document(doc) async for doc in found]

    async def by_people(self, person_ids: list[str], session: Session = None) -> list[Proposal]:
        found = self.collection.find({"proposer_id": {"$in": person_ids}}, session=session).hint("by_proposer")
        return [self.from_document(doc) async for doc in found]

"""The ``ideas`` collection: the :class:`Idea` documents, their indexes, and the queries beside them.

A document is the idea's fields plus what only storage needs (:meth:`IdeaRepository.to_document`):
``listed`` (not hidden: what the public lists show) and, on an idea that still takes support,
``search_terms`` (its keywords, for duplicate hints without a text index). An idea loses its terms
once it is answered or hidden, so the hints read only the hub's open ideas however many there were.
"""

from __future__ import annotations

from typing import Any, Literal

from pymongo import ASCENDING, DESCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_participation.domain.idea import Idea, IdeaStatus
from hub_participation.domain.similar import Candidate, keywords

IDEAS = "ideas"
IdeaOrder = Literal["support", "newest"]

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        IDEAS,
        (
            IndexModel(
                [
                    ("hub_id", ASCENDING),
                    ("listed", ASCENDING),
                    ("support_count", DESCENDING),
                    ("proposed_at", DESCENDING),
                    ("_id", DESCENDING),
                ],
                name="hub_support",
            ),
            IndexModel(
                [("hub_id", ASCENDING), ("listed", ASCENDING), ("proposed_at", DESCENDING), ("_id", DESCENDING)],
                name="hub_newest",
            ),
            IndexModel(
                [
                    ("hub_id", ASCENDING),
                    ("listed", ASCENDING),
                    ("status", ASCENDING),
                    ("proposed_at", DESCENDING),
                    ("_id", DESCENDING),
                ],
                name="hub_status_newest",
            ),
            IndexModel([("hub_id", ASCENDING), ("search_terms", ASCENDING)], name="similar"),
            IndexModel([("proposer_id", ASCENDING)], name="proposer"),
            IndexModel([("supporters", ASCENDING)], name="supporters"),
            IndexModel([("followers", ASCENDING)], name="followers"),
            IndexModel([("flags.by", ASCENDING)], name="flaggers"),
            IndexModel([("councillor_comments.by", ASCENDING)], name="councillors", sparse=True),
        ),
    ),
)

ORDERS: dict[IdeaOrder, list[tuple[str, int]]] = {
    "support": [("support_count", DESCENDING), ("proposed_at", DESCENDING), ("_id", DESCENDING)],
    "newest": [("proposed_at", DESCENDING), ("_id", DESCENDING)],
}
SIMILAR_CANDIDATES = 200  # open ideas sharing a keyword that a new one is compared with, at most
PEOPLE_FIELDS = ("proposer_id", "supporters", "followers", "flags.by", "councillor_comments.by")


class IdeaRepository(Repository[Idea]):
    collection_name = IDEAS
    model = Idea
    noun = "idea"

    def to_document(self, item: Idea) -> dict[str, Any]:
        doc = super().to_document(item)
        doc["listed"] = item.hidden is None
        if item.takes_support:
            doc["search_terms"] = keywords(item.wording.title, item.wording.description)
        return doc

    async def in_hub(
        self, hub_id: str, order: IdeaOrder, status: IdeaStatus | None, paging: PageQuery
    ) -> tuple[list[Idea], str | None]:
        """A hub's ideas that are not hidden, most supported or newest first (optionally of one status)."""
        query: dict[str, Any] = {"hub_id": hub_id, "listed": True}
        hint = "hub_support" if order == "support" else "hub_newest"
        if status is not None:
            query["status"] = status
            hint = "hub_status_newest" if order == "newest" else hint
        return await self.page(query, sort=ORDERS[order], limit=paging.limit, cursor=paging.cursor, hint=hint)

    async def most_supported_open(self, hub_id: str, limit: int) -> list[Idea]:
        """The hub's most supported ideas still taking support, not hidden (a forum's agenda)."""
        if limit <= 0:
            return []
        query = {"hub_id": hub_id, "listed": True, "status": {"$in": ["open", "for_response"]}}
        found = self.collection.find(query).sort(ORDERS["support"]).hint("hub_support").limit(limit)
        return [self.from_document(doc) for doc in await found.to_list()]

    async def awaiting_response(self, hub_id: str, limit: int) -> list[Idea]:
        """The hub's ideas past their threshold and not answered, not hidden: proposed longest ago first."""
        query = {"hub_id": hub_id, "listed": True, "status": "for_response"}
        oldest = [("proposed_at", ASCENDING), ("_id", ASCENDING)]
        found = self.collection.find(query).sort(oldest).hint("hub_status_newest").limit(limit)
        return [self.from_document(doc) for doc in await found.to_list()]

    async def most_supported_gathering(self, hub_id: str, limit: int) -> list[Idea]:
        """The hub's most supported ideas still gathering support (open, under their threshold)."""
        query = {"hub_id": hub_id, "listed": True, "status": "open"}
        found = self.collection.find(query).sort(ORDERS["support"]).hint("hub_support").limit(limit)
        return [self.from_document(doc) for doc in await found.to_list()]

    async def similar_candidates(self, hub_id: str, words: list[str]) -> list[Candidate]:
        """The hub's ideas still taking support that share a keyword with ``words`` (similar)."""
        if not words:
            return []
        projection = {"wording.title": 1, "wording.description": 1, "support_count": 1}
        found = self.collection.find({"hub_id": hub_id, "search_terms": {"$in": words}}, projection)
        docs = await found.hint("similar").limit(SIMILAR_CANDIDATES).to_list()
        return [
            Candidate(
                idea_id=doc["_id"],
                title=doc["wording"]["title"],
                support_count=doc["support_count"],
                title_words=frozenset(keywords(doc["wording"]["title"])),
                words=frozenset(keywords(doc["wording"]["title"], doc["wording"]["description"])),
            )
            for doc in docs
        ]

    async def involving(self, person_ids: list[str], session: Session) -> list[Idea]:
        """Ideas any of these ids (one person's) proposed, supports, follows, flagged or, as a councillor,
        commented on (one query per index), each once."""
        found: dict[str, Idea] = {}
        for field in PEOPLE_FIELDS:
            async for doc in self.collection.find({field: {"$in": person_ids}}, session=session):
                found.setdefault(doc["_id"], self.from_document(doc))
        return list(found.values())

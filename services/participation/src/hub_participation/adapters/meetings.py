"""The ``meetings`` collection: the :class:`Meeting` documents (registrations, minutes and actions
inside each), their indexes, and the queries beside them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_participation.domain.meeting import Meeting

MEETINGS = "meetings"
UPCOMING = [("starts_at", ASCENDING), ("_id", ASCENDING)]
PAST = [("starts_at", DESCENDING), ("_id", DESCENDING)]
PEOPLE_FIELDS = ("registrations.person_id", "scheduled_by", "minutes.by", "actions.done_by")

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        MEETINGS,
        (
            IndexModel([("hub_id", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)], name="hub_starts"),
            IndexModel([("registrations.person_id", ASCENDING)], name="registrants"),
            IndexModel([("scheduled_by", ASCENDING)], name="scheduler"),
            IndexModel([("minutes.by", ASCENDING)], name="minute_taker", sparse=True),
            IndexModel([("actions.done_by", ASCENDING)], name="action_closers", sparse=True),
        ),
    ),
)


class MeetingRepository(Repository[Meeting]):
    collection_name = MEETINGS
    model = Meeting
    noun = "meeting"

    async def in_hub(
        self, hub_id: str, *, upcoming: bool, now: datetime, paging: PageQuery
    ) -> tuple[list[Meeting], str | None]:
        """A hub's meetings still to come (soonest first) or those started (latest first)."""
        when = {"ends_at": {"$gte": now}} if upcoming else {"starts_at": {"$lt": now}}
        query: dict[str, Any] = {"hub_id": hub_id, **when}
        return await self.page(
            query, sort=UPCOMING if upcoming else PAST, limit=paging.limit, cursor=paging.cursor, hint="hub_starts"
        )

    async def upcoming(self, hub_id: str, now: datetime, limit: int) -> list[Meeting]:
        """A hub's meetings not ended yet, soonest first."""
        found = self.collection.find({"hub_id": hub_id, "ends_at": {"$gte": now}}).sort(UPCOMING)
        return [self.from_document(doc) for doc in await found.hint("hub_starts").limit(limit).to_list()]

    async def with_open_actions(self, hub_id: str, limit: int) -> list[Meeting]:
        """A hub's latest meetings with an action still open (its minutes agreed actions not done yet)."""
        found = self.collection.find({"hub_id": hub_id, "actions.status": "open"}).sort(PAST)
        return [self.from_document(doc) for doc in await found.hint("hub_starts").limit(limit).to_list()]

    async def since(self, hub_id: str, since: datetime, limit: int = 500) -> list[Meeting]:
        """A hub's meetings starting from ``since``, soonest first (its calendar feed)."""
        found = self.collection.find({"hub_id": hub_id, "starts_at": {"$gte": since}}).sort(UPCOMING)
        return [self.from_document(doc) for doc in await found.hint("hub_starts").limit(limit).to_list()]

    async def involving(self, person_ids: list[str], session: Session) -> list[Meeting]:
        """Meetings any of these ids (one person's) registered for or, as staff, scheduled, minuted or
        closed an action of (one query per index), each once."""
        found: dict[str, Meeting] = {}
        for field in PEOPLE_FIELDS:
            async for doc in self.collection.find({field: {"$in": person_ids}}, session=session):
                found.setdefault(doc["_id"], self.from_document(doc))
        return list(found.values())

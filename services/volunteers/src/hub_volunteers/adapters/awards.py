"""Awards (milestones and staff awards); each document also says whether it is on the public wall
and the first name it shows there."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.pagination import find_page
from hub_common.repository import Repository, Session
from hub_volunteers.domain.skills import Award

AWARDS = "awards"
BY_VOLUNTEER = "by_volunteer_v1"
WALL = "wall_v1"

INDEXES = (
    IndexSpec(
        AWARDS,
        (
            IndexModel([("volunteer_id", ASCENDING), ("given_at", DESCENDING), ("_id", ASCENDING)], name=BY_VOLUNTEER),
            IndexModel(
                [("hub_id", ASCENDING), ("public", ASCENDING), ("given_at", DESCENDING), ("_id", ASCENDING)],
                name=WALL,
            ),
        ),
    ),
)


class AwardRepository(Repository[Award]):
    collection_name = AWARDS
    model = Award
    noun = "award"

    async def add(self, item: Award, session: Session = None, *, shown_as: str | None = None) -> None:
        """Insert an award; with ``shown_as`` (a first name) it is on the public wall under that name."""
        doc = {**self.to_document(item), "public": shown_as is not None, "display_name": shown_as}
        await self.collection.insert_one(doc, session=session)

    async def hide_from_wall(self, volunteer_id: str, session: Session) -> None:
        await self.collection.update_many(
            {"volunteer_id": volunteer_id}, {"$set": {"public": False, "display_name": None}}, session=session
        )

    async def of_volunteer(self, volunteer_id: str, paging: PageQuery) -> tuple[list[Award], str | None]:
        return await self.page(
            {"volunteer_id": volunteer_id},
            sort=[("given_at", -1)],
            limit=paging.limit,
            cursor=paging.cursor,
            hint=BY_VOLUNTEER,
        )

    async def wall(self, hub_id: str, paging: PageQuery) -> tuple[list[dict[str, Any]], str | None]:
        """A hub's public awards, latest first, as the wall shows them (award id, first name, title, ...)."""
        docs, cursor = await find_page(
            self.collection,
            {"hub_id": hub_id, "public": True},
            sort=[("given_at", -1)],
            limit=paging.limit,
            cursor=paging.cursor,
            hint=WALL,
        )
        return [_wall_entry(d) for d in docs], cursor


def _wall_entry(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "award_id": doc["_id"],
        "display_name": doc["display_name"],
        "title": doc["title"],
        "citation": doc.get("citation"),
        "period": doc.get("period"),
        "given_at": doc["given_at"],
    }

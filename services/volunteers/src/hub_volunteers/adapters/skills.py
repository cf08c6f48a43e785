"""The skills taxonomy (staff-managed, case-insensitive unique names)."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository, Session
from hub_volunteers.adapters.volunteers import CASE_INSENSITIVE
from hub_volunteers.domain.skills import Skill

SKILLS = "skills"
BY_CATEGORY = "by_category_v1"

INDEXES = (
    IndexSpec(
        SKILLS,
        (
            IndexModel([("name", ASCENDING)], name="name_unique_ci", unique=True, collation=CASE_INSENSITIVE),
            IndexModel([("category", ASCENDING), ("name", ASCENDING), ("_id", ASCENDING)], name=BY_CATEGORY),
        ),
    ),
)


class SkillRepository(Repository[Skill]):
    collection_name = SKILLS
    model = Skill
    noun = "skill"

    async def missing(self, skill_ids: list[str], session: Session = None) -> list[str]:
        """The ids among ``skill_ids`` that are not in the taxonomy, in the order given."""
        if not skill_ids:
            return []
        found = {d["_id"] async for d in self.collection.find({"_id": {"$in": skill_ids}}, {"_id": 1}, session=session)}
        return [s for s in skill_ids if s not in found]

    async def by_category(self, category: str | None, paging: PageQuery) -> tuple[list[Skill], str | None]:
        return await self.page(
            {"category": category} if category else {},
            sort=[("category", 1), ("name", 1)],
            limit=paging.limit,
            cursor=paging.cursor,
            hint=BY_CATEGORY,
        )

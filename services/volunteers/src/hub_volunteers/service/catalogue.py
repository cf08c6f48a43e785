"""The catalogue volunteers pick from: the skills taxonomy and the hubs' roles (drafted, edited,
published once fully described)."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from hub_common.auth import STAFF_ROLES, Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.errors import Conflict, NotFound, RuleViolation
from hub_common.http import PageQuery
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_volunteers.adapters.roles import RoleRepository
from hub_volunteers.adapters.skills import SkillRepository
from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.skills import Skill, slugify
from hub_volunteers.service import commands as cmd
from hub_volunteers.service.common import new_id
from hub_volunteers.service.events import role_published


class CatalogueService:
    def __init__(self, uow: UnitOfWork, skills: SkillRepository, roles: RoleRepository, *, clock: Clock) -> None:
        self.uow = uow
        self.skills = skills
        self.roles = roles
        self.clock = clock

    # -- skills ------------------------------------------------------------------------------------

    async def create_skill(
        self, caller: Principal, body: cmd.CreateSkill, idempotency: IdempotentRequest | None = None
    ) -> Skill:
        caller.require_role(*STAFF_ROLES)
        skill = Skill(
            id=slugify(body.name),
            name=body.name,
            category=body.category.lower(),
            description=body.description,
            created_at=self.clock(),
        )
        if not skill.id:
            raise RuleViolation("a skill name needs letters or digits")

        async def work(tx: Transaction) -> Skill:
            await self.skills.add(skill, tx.session)
            return skill

        try:
            return await self.uow.run(work, idempotency=idempotency, result_type=Skill)
        except DuplicateKeyError:
            raise Conflict(f"the skill {body.name!r} is already in the taxonomy", skill_id=skill.id) from None

    async def skills_in(self, category: str | None, paging: PageQuery) -> tuple[list[Skill], str | None]:
        return await self.skills.by_category(category.lower() if category else None, paging)

    # -- roles -------------------------------------------------------------------------------------

    async def create_role(
        self, caller: Principal, body: cmd.CreateRole, idempotency: IdempotentRequest | None = None
    ) -> Role:
        caller.require_staff_for(body.hub_id)
        at = self.clock()
        role = Role(id=new_id("role"), created_at=at, updated_at=at, **body.model_dump(exclude_none=True))

        async def work(tx: Transaction) -> Role:
            await self._check_skills(role, tx)
            await self.roles.add(role, tx.session)
            return role

        return await self.uow.run(work, idempotency=idempotency, result_type=Role)

    async def _check_skills(self, role: Role, tx: Transaction) -> None:
        missing = await self.skills.missing([s.skill_id for s in role.skills_needed or []], tx.session)
        if missing:
            raise RuleViolation(f"unknown skills: {', '.join(missing)}; pick from GET /v1/skills")

    async def _save(self, role: Role, seen_version: int, tx: Transaction) -> None:
        role.updated_at, role.version = self.clock(), seen_version + 1
        if not await self.roles.replace_if_version(role, seen_version, tx.session):
            raise Conflict("the role changed at the same moment; try again")

    async def update_role(self, caller: Principal, role_id: str, body: cmd.UpdateRole, expected: int | None) -> Role:
        async def work(tx: Transaction) -> Role:
            role = await self.roles.get(role_id, tx.session)
            caller.require_staff_for(role.hub_id)
            check_version(expected, role.version)
            updated = Role.model_validate({**role.model_dump(), **body.model_dump(exclude_unset=True)})
            if updated.status == "published" and updated.missing_description():
                raise RuleViolation(
                    "a published role keeps its full description: " + ", ".join(updated.missing_description())
                )
            await self._check_skills(updated, tx)
            await self._save(updated, role.version, tx)
            return updated

        return await self.uow.run(work)

    async def publish_role(self, caller: Principal, role_id: str, expected: int | None) -> Role:
        async def work(tx: Transaction) -> Role:
            role = await self.roles.get(role_id, tx.session)
            caller.require_staff_for(role.hub_id)
            check_version(expected, role.version)
            role.publish()
            await self._save(role, role.version, tx)
            tx.publish(role_published(role), subject=role.id, hub_id=role.hub_id)
            return role

        return await self.uow.run(work)

    async def get_role(self, caller: Principal | None, role_id: str) -> Role:
        """A role; drafts and retired roles only for staff of its hub."""
        role = await self.roles.get(role_id)
        if role.status != "published" and not (caller and caller.is_staff_for(role.hub_id)):
            raise NotFound(f"there is no role {role_id!r}")
        return role

    async def roles_in(
        self, caller: Principal | None, hub_id: str, status: str, q: str | None, paging: PageQuery
    ) -> tuple[list[Role], str | None]:
        """A hub's roles by title: published ones for everyone, drafts and retired ones for its staff."""
        if status != "published" and not (caller and caller.is_staff_for(hub_id)):
            status = "published"
        words = ([w for w in slugify(q).split("-") if w] or [""]) if q else None
        return await self.roles.in_hub(hub_id, status, words, paging)

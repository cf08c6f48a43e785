"""Routes for the skills taxonomy and the hubs' volunteer roles."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from hub_common.http import Caller, Idempotency, IfMatch, OptionalCaller, Paging, set_etag
from hub_common.pagination import Page
from hub_volunteers.api.deps import Catalogue, HubQuery
from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.skills import Skill
from hub_volunteers.service import commands as cmd

router = APIRouter(prefix="/v1")


def _role(response: Response, role: Role) -> Role:
    set_etag(response, role.version)
    return role


# -- skills ---------------------------------------------------------------------------------------


@router.post("/skills", status_code=201, tags=["skills"], summary="Staff: add a skill to the taxonomy")
async def create_skill(body: cmd.CreateSkill, caller: Caller, catalogue: Catalogue, idempotency: Idempotency) -> Skill:
    return await catalogue.create_skill(caller, body, idempotency)


@router.get("/skills", tags=["skills"], summary="The skills taxonomy, by category and name")
async def list_skills(
    page: Paging, catalogue: Catalogue, category: Annotated[str | None, Query(max_length=60)] = None
) -> Page[Skill]:
    items, cursor = await catalogue.skills_in(category, page)
    return Page[Skill](items=items, next_cursor=cursor)


# -- roles ----------------------------------------------------------------------------------------


@router.post("/roles", status_code=201, tags=["roles"], summary="Staff: draft a volunteer role")
async def create_role(
    body: cmd.CreateRole, response: Response, caller: Caller, catalogue: Catalogue, idempotency: Idempotency
) -> Role:
    return _role(response, await catalogue.create_role(caller, body, idempotency))


@router.get("/roles", tags=["roles"], summary="A hub's roles (published ones for everyone; drafts for staff)")
async def list_roles(
    caller: OptionalCaller,
    page: Paging,
    hub_id: HubQuery,
    catalogue: Catalogue,
    status: Literal["draft", "published", "retired"] = "published",
    q: Annotated[str | None, Query(max_length=60, description="a word from the title or purpose")] = None,
) -> Page[Role]:
    items, cursor = await catalogue.roles_in(caller, hub_id, status, q, page)
    return Page[Role](items=items, next_cursor=cursor)


@router.get("/roles/{role_id}", tags=["roles"], summary="A role with its full description")
async def get_role(role_id: str, caller: OptionalCaller, response: Response, catalogue: Catalogue) -> Role:
    return _role(response, await catalogue.get_role(caller, role_id))


@router.patch("/roles/{role_id}", tags=["roles"], summary="Staff: edit a role (If-Match)")
async def update_role(
    role_id: str, body: cmd.UpdateRole, caller: Caller, expected: IfMatch, response: Response, catalogue: Catalogue
) -> Role:
    return _role(response, await catalogue.update_role(caller, role_id, body, expected))


@router.post(
    "/roles/{role_id}/publish",
    tags=["roles"],
    summary="Staff: publish a role (422 unless purpose, tasks, time commitment, skills, checks, training, "
    "support contact and accessibility are all described)",
)
async def publish_role(
    role_id: str, caller: Caller, expected: IfMatch, response: Response, catalogue: Catalogue
) -> Role:
    return _role(response, await catalogue.publish_role(caller, role_id, expected))

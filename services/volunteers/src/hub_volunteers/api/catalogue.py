"""Routes for the skills taxonomy, roles, venues and the public recognition wall."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from hub_common.auth import Principal
from hub_common.concurrency import etag_for
from hub_common.errors import NotFound
from hub_common.http import (
    IdempotencyKeyHeader,
    PageQuery,
    current_principal,
    idempotent_request,
    if_match_version,
    optional_principal,
)
from hub_common.pagination import Page, find_page
from hub_volunteers import commands as cmd
from hub_volunteers.adapters.repository import AWARDS, EQUIPMENT, ROLES, SKILLS, VENUES, from_doc
from hub_volunteers.domain.roles import Role
from hub_volunteers.domain.skills import Skill, slugify
from hub_volunteers.domain.venues import Venue
from hub_volunteers.service import VolunteersService, is_staff_for

Me = Annotated[Principal, Depends(current_principal)]
Anyone = Annotated[Principal | None, Depends(optional_principal)]
Expected = Annotated[int | None, Depends(if_match_version)]


class WallEntry(BaseModel):
    """An award on the public recognition wall (only volunteers who opted in, first name only)."""

    award_id: str
    display_name: str
    title: str
    citation: str | None
    period: str | None
    given_at: datetime


def _role(response: Response, role: Role) -> Role:
    response.headers["ETag"] = etag_for(role.version)
    return role


def build_router(service: VolunteersService) -> APIRouter:
    router = APIRouter(prefix="/v1")
    db = service.ctx.db

    # -- skills -----------------------------------------------------------------------------------

    @router.post("/skills", status_code=201, tags=["skills"], summary="Staff: add a skill to the taxonomy")
    async def create_skill(
        body: cmd.CreateSkill, request: Request, principal: Me, idempotency_key: IdempotencyKeyHeader = None
    ) -> Skill:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        return await service.create_skill(principal, body, idem)

    @router.get("/skills", tags=["skills"], summary="The skills taxonomy, by category and name")
    async def list_skills(
        page: Annotated[PageQuery, Depends()], category: Annotated[str | None, Query(max_length=60)] = None
    ) -> Page[Skill]:
        query = {"category": category.lower()} if category else {}
        docs, cursor = await find_page(
            db[SKILLS], query, sort=[("category", 1), ("name", 1)], limit=page.limit, cursor=page.cursor
        )
        return Page[Skill](items=[from_doc(Skill, d) for d in docs], next_cursor=cursor)

    # -- roles ------------------------------------------------------------------------------------

    @router.post("/roles", status_code=201, tags=["roles"], summary="Staff: draft a volunteer role")
    async def create_role(
        body: cmd.CreateRole,
        request: Request,
        response: Response,
        principal: Me,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Role:
        idem = idempotent_request(idempotency_key, request, principal, body.model_dump(mode="json"))
        return _role(response, await service.create_role(principal, body, idem))

    @router.get("/roles", tags=["roles"], summary="A hub's roles (published ones for everyone; drafts for staff)")
    async def list_roles(
        principal: Anyone,
        page: Annotated[PageQuery, Depends()],
        hub_id: Annotated[str, Query(min_length=1, max_length=64)],
        status: Literal["draft", "published", "retired"] = "published",
        q: Annotated[str | None, Query(max_length=60, description="a word from the title or purpose")] = None,
    ) -> Page[Role]:
        if status != "published" and not (principal and is_staff_for(principal, hub_id)):
            status = "published"
        query: dict[str, Any] = {"hub_id": hub_id, "status": status}
        if q:
            query["search_terms"] = {"$all": [w for w in slugify(q).split("-") if w] or [""]}
        docs, cursor = await find_page(db[ROLES], query, sort=[("title", 1)], limit=page.limit, cursor=page.cursor)
        return Page[Role](items=[from_doc(Role, d) for d in docs], next_cursor=cursor)

    @router.get("/roles/{role_id}", tags=["roles"], summary="A role with its full description")
    async def get_role(role_id: str, principal: Anyone, response: Response) -> Role:
        role = await service.repo.role(role_id)
        if role.status != "published" and not (principal and is_staff_for(principal, role.hub_id)):
            raise NotFound(f"there is no role {role_id!r}")
        return _role(response, role)

    @router.patch("/roles/{role_id}", tags=["roles"], summary="Staff: edit a role (If-Match)")
    async def update_role(
        role_id: str, body: cmd.UpdateRole, principal: Me, expected: Expected, response: Response
    ) -> Role:
        return _role(response, await service.update_role(principal, role_id, body, expected))

    @router.post(
        "/roles/{role_id}/publish",
        tags=["roles"],
        summary="Staff: publish a role (422 unless purpose, tasks, time commitment, skills, checks, training, "
        "support contact and accessibility are all described)",
    )
    async def publish_role(role_id: str, principal: Me, expected: Expected, response: Response) -> Role:
        return _role(response, await service.publish_role(principal, role_id, expected))

    # -- venues and recognition -------------------------------------------------------------------

    @router.get("/venues", tags=["venues"], summary="Rooms and spaces a hub can use for shifts (from assets)")
    async def list_venues(
        page: Annotated[PageQuery, Depends()], hub_id: Annotated[str, Query(min_length=1, max_length=64)]
    ) -> Page[Venue]:
        docs, cursor = await find_page(
            db[VENUES], {"hub_id": hub_id}, sort=[("name", 1)], limit=page.limit, cursor=page.cursor
        )
        return Page[Venue](items=[from_doc(Venue, d) for d in docs], next_cursor=cursor)

    @router.get("/equipment", tags=["venues"], summary="Equipment a hub's shifts can ask for (from assets)")
    async def list_equipment(
        page: Annotated[PageQuery, Depends()], hub_id: Annotated[str, Query(min_length=1, max_length=64)]
    ) -> Page[Venue]:
        docs, cursor = await find_page(
            db[EQUIPMENT], {"hub_id": hub_id}, sort=[("name", 1)], limit=page.limit, cursor=page.cursor
        )
        return Page[Venue](items=[from_doc(Venue, d) for d in docs], next_cursor=cursor)

    @router.get("/recognition", tags=["recognition"], summary="Public recognition wall of a hub (opt-in)")
    async def wall(
        page: Annotated[PageQuery, Depends()], hub_id: Annotated[str, Query(min_length=1, max_length=64)]
    ) -> Page[WallEntry]:
        docs, cursor = await find_page(
            db[AWARDS],
            {"hub_id": hub_id, "public": True},
            sort=[("given_at", -1)],
            limit=page.limit,
            cursor=page.cursor,
        )
        items = [
            WallEntry(
                award_id=d["_id"],
                display_name=d["display_name"],
                title=d["title"],
                citation=d.get("citation"),
                period=d.get("period"),
                given_at=d["given_at"],
            )
            for d in docs
        ]
        return Page[WallEntry](items=items, next_cursor=cursor)

    return router

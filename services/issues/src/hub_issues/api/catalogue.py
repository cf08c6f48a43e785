"""``/v1/hubs/{hub_id}/services``: the catalogue of each hub (Open311 services and their questions)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.errors import RuleViolation
from hub_common.http import Idempotency, IfMatch, Paging, set_etag
from hub_common.pagination import Page
from hub_issues.api.deps import Catalogue, Editor, one_version
from hub_issues.api.schemas import CategoryIn, CategoryOut, CategoryPatch
from hub_issues.api.views import category_view
from hub_issues.domain.catalogue import Category

router = APIRouter(prefix="/v1")
NOT_NULL = ("name", "attributes", "keywords", "description", "group", "active", "translations")


@router.post("/hubs/{hub_id}/services", status_code=201, tags=["catalogue"], summary="Add a category")
async def create_category(
    hub_id: str, body: CategoryIn, response: Response, principal: Editor, catalogue: Catalogue, idempotency: Idempotency
) -> CategoryOut:
    category = Category.from_fields({"hub_id": hub_id, **body.model_dump()})
    category = await catalogue.create(principal, category, idempotency)
    set_etag(response, category.version)
    return category_view(category)


@router.get("/hubs/{hub_id}/services", tags=["catalogue"], summary="A hub's catalogue")
async def list_categories(hub_id: str, page: Paging, catalogue: Catalogue) -> Page[CategoryOut]:
    items, cursor = await catalogue.page(hub_id, page)
    return Page[CategoryOut](items=[category_view(c) for c in items], next_cursor=cursor)


@router.get("/hubs/{hub_id}/services/{code}", tags=["catalogue"], summary="One category")
async def get_category(hub_id: str, code: str, response: Response, catalogue: Catalogue) -> CategoryOut:
    category = await catalogue.get(hub_id, code)
    set_etag(response, category.version)
    return category_view(category)


@router.patch("/hubs/{hub_id}/services/{code}", tags=["catalogue"], summary="Change a category")
async def update_category(
    hub_id: str,
    code: str,
    body: CategoryPatch,
    response: Response,
    principal: Editor,
    if_match: IfMatch,
    catalogue: Catalogue,
) -> CategoryOut:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    for name in NOT_NULL:
        if name in changes and changes[name] is None:
            raise RuleViolation(f"{name} cannot be null")
    category = await catalogue.update(principal, hub_id, code, changes, one_version(if_match, body.version))
    set_etag(response, category.version)
    return category_view(category)

"""Open311 services: the service list (the catalogue) and each service's definition (its attributes)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from hub_issues.api.deps import Catalogue, Hubs
from hub_issues.api.open311.forms import jurisdiction
from hub_issues.api.open311.rendering import Open311Error, Open311Route, query_parameters, render
from hub_issues.domain.catalogue import Category

router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)


def service_entry(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": category.has_metadata,
        "type": "realtime",
        "keywords": ",".join(category.keywords),
        "group": category.group,
    }


def service_definition(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description or None,
                "order": a.order,
                "description": a.description,
                **({"values": [{"key": v.key, "name": v.name} for v in a.values]} if a.values else {}),
            }
            for a in category.sorted_attributes()
        ],
    }


@router.get(
    "/services.{fmt}",
    summary="Open311 service list (the catalogue)",
    openapi_extra=query_parameters("jurisdiction_id"),
)
async def services(fmt: str, request: Request, hubs: Hubs, catalogue: Catalogue) -> Response:
    offered = await catalogue.offered(await jurisdiction(hubs, request.query_params))
    return render(fmt, "services", "service", [service_entry(c) for c in offered])


@router.get(
    "/services/{service_code}.{fmt}",
    summary="Open311 service definition (attributes)",
    openapi_extra=query_parameters("jurisdiction_id"),
)
async def service_def(service_code: str, fmt: str, request: Request, hubs: Hubs, catalogue: Catalogue) -> Response:
    category = await catalogue.definition(service_code, await jurisdiction(hubs, request.query_params))
    if category is None:
        raise Open311Error(404, f"service_code '{service_code}' not found")
    return render(fmt, "service_definition", "service_definition", service_definition(category))

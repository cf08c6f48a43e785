"""HTTP API of the asset map: register, search, read, update, retire."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from hub_assets.api.deps import Assets
from hub_assets.api.schemas import AssetOut
from hub_assets.domain.assets import Asset, AssetFields
from hub_common.contracts.assets import AssetKind
from hub_common.http import Caller, Idempotency, IfMatch, Paging, set_etag
from hub_common.pagination import Page

router = APIRouter(prefix="/v1/assets", tags=["asset map"])


@router.post("", status_code=201, summary="Put an asset on the map (staff; partners: their directory entries)")
async def register(
    body: AssetFields, response: Response, principal: Caller, assets: Assets, idempotency: Idempotency
) -> Asset:
    asset = await assets.register(principal, body, idempotency)
    set_etag(response, asset.version)
    response.headers["Location"] = f"/v1/assets/{asset.id}"
    return asset


@router.get("", summary="Search the map: text, kind, tag, hub, and distance from a point")
async def search(
    page: Paging,
    assets: Assets,
    q: Annotated[str | None, Query(max_length=200, description="words that must all match")] = None,
    kind: AssetKind | None = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    hub_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Literal["active", "inactive", "retired"] = "active",
    lat: Annotated[float | None, Query(ge=-90, le=90, description="search near this point (with lon)")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_m: Annotated[float, Query(gt=0, le=50_000, description="with lat/lon")] = 2_000,
) -> Page[AssetOut]:
    found, cursor = await assets.search(
        q=q,
        kind=kind,
        tag=tag,
        hub_id=hub_id,
        status=status,
        near=(lat, lon, radius_m),
        limit=page.limit,
        cursor=page.cursor,
    )
    items = [AssetOut(**a.model_dump(), distance_m=None if d is None else round(d, 1)) for a, d in found]
    return Page[AssetOut](items=items, next_cursor=cursor)


@router.get("/{asset_id}", summary="One asset")
async def get(asset_id: str, response: Response, assets: Assets) -> Asset:
    asset = await assets.get(asset_id)
    set_etag(response, asset.version)
    return asset


@router.put("/{asset_id}", summary="Replace an asset's details (send If-Match)")
async def update(
    asset_id: str, body: AssetFields, response: Response, principal: Caller, expected: IfMatch, assets: Assets
) -> Asset:
    asset = await assets.update(principal, asset_id, body, expected)
    set_etag(response, asset.version)
    return asset


@router.post("/{asset_id}/retire", summary="Take an asset off the map (send If-Match)")
async def retire(asset_id: str, response: Response, principal: Caller, expected: IfMatch, assets: Assets) -> Asset:
    asset = await assets.retire(principal, asset_id, expected)
    set_etag(response, asset.version)
    return asset

"""Report photos, served from this site's own origin: the pages' CSP allows images from 'self' only
(and the map tiles), and the issues service is not reachable from browsers under ``make run``.

Each request passes the issues service's answer through with the headers that matter for an image
(type, caching, ETag); the service decides who sees what (a hidden photo only its hub's staff).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from hub_web.deps import WebDep

router = APIRouter(include_in_schema=False)

PHOTO_ID = Annotated[str, Path(pattern=r"^pho-[0-9a-f]{32}$")]
PASSED_ON = ("content-type", "cache-control", "etag")


async def photo_response(request: Request, web: WebDep, photo_id: str, *, thumbnail: bool) -> Response:
    served = await web.services.issues.photo(photo_id, thumbnail, token=await web.token(request))
    return Response(served.content, headers={k: served.headers[k] for k in PASSED_ON if k in served.headers})


@router.get("/photos/{photo_id}")
async def photo(request: Request, web: WebDep, photo_id: PHOTO_ID) -> Response:
    return await photo_response(request, web, photo_id, thumbnail=False)


@router.get("/photos/{photo_id}/thumbnail")
async def thumbnail(request: Request, web: WebDep, photo_id: PHOTO_ID) -> Response:
    return await photo_response(request, web, photo_id, thumbnail=True)

"""Open311 service discovery: where this server's GeoReport v2 endpoint is and what it speaks."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from hub_issues.api.open311.rendering import Open311Route, api_base, render

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00+00:00"

router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)


@router.get("/discovery.{fmt}", summary="Open311 discovery")
async def discovery(fmt: str, request: Request) -> Response:
    base = api_base(request) + "/open311/v2"
    payload = {
        "changeset": CHANGESET,
        "contact": "Your community hub: use the contact details on its website",
        "key_service": "api_key: a partner or staff token issued by the hub operator",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(fmt, "discovery", "discovery", payload)

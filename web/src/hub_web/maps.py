"""The web map's settings for a page: the tile source, the hub outlines as GeoJSON and the points to show.

The pages draw the map in the browser with Leaflet (``static/map.js``) from one JSON object in a
data attribute. The hub outlines are a GeoJSON layer of their own, so the map still shows where the
hubs are when the street tiles cannot be loaded (no network, or a tile server that is down).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hub_web.i18n import _

if TYPE_CHECKING:
    from hub_web.settings import WebSettings

TILE_PLACEHOLDERS = ("{z}", "{x}", "{y}")


def tile_origin(url: str) -> str:
    """The origin the pages' Content-Security-Policy must allow images from for this tile URL template.

    A ``{s}`` (sub-domain) placeholder is allowed only as the host's first label, where a CSP
    wildcard can stand for it; anything else would need a policy we cannot write exactly.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the map tile URL must start with https:// (or http://) and name a host: {url!r}")
    if not all(p in url for p in TILE_PLACEHOLDERS):
        raise ValueError(f"the map tile URL must contain {{z}}, {{x}} and {{y}}: {url!r}")
    host = parts.netloc
    if host.startswith("{s}."):
        host = "*." + host.removeprefix("{s}.")
    if "{" in host or "}" in host or "@" in host:
        raise ValueError(f"the map tile URL's host may only use {{s}} as its first label: {url!r}")
    return f"{parts.scheme}://{host}"


def hub_areas(hubs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The hubs' boundaries as a GeoJSON FeatureCollection, each named (hubs without one are left out)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": h["name"]}, "geometry": h["boundary"]}
            for h in hubs
            if (h.get("boundary") or {}).get("type") in ("Polygon", "MultiPolygon")
        ],
    }


def point(lat: float, lon: float, title: str, url: str) -> dict[str, Any]:
    return {"lat": lat, "lon": lon, "title": title, "url": url}


def issue_points(issues: Iterable[dict[str, Any]], link: str) -> list[dict[str, Any]]:
    """Issues that have a position, as map points linking to ``link`` (with ``{id}``)."""
    return [
        point(i["lat"], i["lon"], i["service_name"], link.format(id=i["id"]))
        | {"status": i["status"], "support_count": i["support_count"]}
        for i in issues
        if i.get("lat") is not None and i.get("lon") is not None
    ]


def asset_points(assets: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Places from the asset map that have a position, linking to their public page."""
    return [
        point(a["location"]["lat"], a["location"]["lon"], a["name"], f"/places/{a['id']}")
        for a in assets
        if a.get("location")
    ]


def map_config(
    settings: WebSettings,
    hubs: Sequence[dict[str, Any]],
    *,
    points: Sequence[dict[str, Any]] = (),
    cluster: bool = False,
    pick: bool = False,
    nearby_url: str | None = None,
) -> dict[str, Any]:
    """What ``static/map.js`` draws: tiles (with attribution), hub outlines, points (``cluster``: pins
    close together drawn as one with their count until one zooms in); ``pick`` lets a
    click or a dragged pin fill in the form's ``lat``/``lon`` fields, and ``nearby_url`` is asked for
    the open reports near the chosen spot."""
    return {
        "tiles": settings.map_tile_url,
        "attribution": settings.map_tile_attribution,
        "areas": hub_areas(hubs),
        "points": list(points),
        "cluster": cluster,
        "pick": pick,
        "nearby_url": nearby_url,
        "words": map_words(),
    }


def map_words() -> dict[str, str]:
    """The few words static/map.js writes, in the page's language: the script has no catalogue of
    its own, so it fills ``{name}`` slots in these."""
    return {
        "chosen": _("The place you chose"),
        "finding": _("Finding your location…"),
        "found": _("We have filled in your location. Move the pin if the problem is somewhere else."),
        "not_found": _("We could not find your location. Click the map or type the position instead."),
        "more_here": _("%(title)s and %(n)s more here", title="{title}", n="{n}"),
        "me_too": _('%(n)s said "me too"', n="{n}"),
    }

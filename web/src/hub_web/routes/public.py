"""Public pages: home, each hub's page and "You Said, We Did", the asset map, help pages."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub_web import i18n
from hub_web.clients import ServiceProblem
from hub_web.deps import WebDep
from hub_web.geo import dots, hub_map
from hub_web.i18n import N_, _
from hub_web.maps import asset_points, map_config

router = APIRouter(include_in_schema=False)

PLACE_KINDS = [
    ("", N_("Anything")),
    ("organisation", N_("Community groups and charities")),
    ("service", N_("Services and activities")),
    ("room", N_("Rooms to hire")),
    ("equipment", N_("Equipment to borrow")),
    ("space", N_("Buildings and outdoor spaces")),
    ("funding", N_("Funding for groups")),
]
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))


async def hub_or_404(web, hub_id: str) -> dict[str, Any]:
    hub = next((h for h in await web.hubs() if h["id"] == hub_id), None)
    if hub is None:
        raise ServiceProblem("issues", 404, "Not found", f"no hub {hub_id}")
    return hub


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, web: WebDep) -> HTMLResponse:
    return await web.render(request, "home.html", title=_("Your community hub"), hubs=await web.hubs())


@router.get("/brand.css")
async def brand_css(web: WebDep) -> Response:
    """Hub colours as CSS classes: the pages' content security policy allows no inline styles."""
    rules = []
    for hub_id, colour in web.settings.hub_colours.items():
        rules.append(f".hub-colour-{hub_id} {{ background: {colour}; }}")
        rules.append(f".site-header[data-brand='{colour}'] {{ border-bottom-color: {colour}; }}")
    return Response("\n".join(rules) + "\n", media_type="text/css", headers={"Cache-Control": "max-age=300"})


@router.get("/hubs/{hub_id}", response_class=HTMLResponse)
async def hub_page(request: Request, hub_id: str, web: WebDep) -> HTMLResponse:
    hub = await hub_or_404(web, hub_id)
    issues = web.services.issues
    priorities = await issues.priorities(hub_id, limit=10)
    fixed = (await issues.you_said_we_did(hub_id, limit=5))["items"]
    stats = await issues.stats(hub_id)
    drawing = hub_map([hub])
    return await web.render(
        request,
        "hub.html",
        title=hub["name"],
        hub=hub,
        priorities=priorities,
        fixed=fixed,
        stats=stats,
        drawing=drawing,
        dots=dots(drawing, priorities) if drawing else [],
    )


# What residents asked for beyond problem reports, and the hub did (the issues service keeps these
# logs from the participation service's events): each kind's latest on the first page, and a page
# of its own to read further back.
OUTCOME_KINDS = {
    "ideas": N_("Ideas taken forward"),
    "forum-actions": N_("Actions from resident forums"),
    "funded-projects": N_("Projects residents voted for"),
}


@router.get("/hubs/{hub_id}/you-said-we-did", response_class=HTMLResponse)
async def you_said_we_did(
    request: Request, hub_id: str, web: WebDep, cursor: Annotated[str | None, Query(max_length=500)] = None
) -> HTMLResponse:
    hub = await hub_or_404(web, hub_id)
    issues = web.services.issues
    if cursor:  # further back in the fixed problems: the other logs were on the first page
        page, outcomes = await issues.you_said_we_did(hub_id, limit=20, cursor=cursor), []
    else:
        latest_of_each = (issues.outcomes(hub_id, kind, limit=5) for kind in OUTCOME_KINDS)
        page, *latest = await asyncio.gather(issues.you_said_we_did(hub_id, limit=20), *latest_of_each)
        outcomes = [outcome_list(kind, found) for kind, found in zip(OUTCOME_KINDS, latest, strict=True)]
    return await web.render(
        request,
        "you_said_we_did.html",
        title=_("You said, we did: %(hub)s", hub=hub["name"]),
        hub=hub,
        items=page["items"],
        next_cursor=page.get("next_cursor"),
        outcomes=[o for o in outcomes if o["items"]],
    )


def outcome_list(kind: str, page: dict[str, Any]) -> dict[str, Any]:
    heading = _(OUTCOME_KINDS[kind])
    return {"kind": kind, "heading": heading, "items": page["items"], "next_cursor": page.get("next_cursor")}


@router.get("/hubs/{hub_id}/you-said-we-did/{kind}", response_class=HTMLResponse)
async def you_said_we_did_outcomes(
    request: Request, hub_id: str, kind: str, web: WebDep, cursor: Annotated[str | None, Query(max_length=500)] = None
) -> HTMLResponse:
    if kind not in OUTCOME_KINDS:
        raise StarletteHTTPException(404)
    hub = await hub_or_404(web, hub_id)
    found = outcome_list(kind, await web.services.issues.outcomes(hub_id, kind, limit=20, cursor=cursor))
    return await web.render(
        request,
        "you_said_we_did_outcomes.html",
        title=_("%(what)s: %(hub)s", what=found["heading"], hub=hub["name"]),
        hub=hub,
        outcome=found,
    )


@router.get("/hubs/{hub_id}/thank-you", response_class=HTMLResponse)
async def thank_you_wall(
    request: Request, hub_id: str, web: WebDep, cursor: Annotated[str | None, Query(max_length=500)] = None
) -> HTMLResponse:
    """The hub's thank-you wall: the volunteers service gives only the awards of volunteers who
    agreed to be shown, with their first name, so the page shows what it is given and nothing more."""
    hub = await hub_or_404(web, hub_id)
    page = await web.services.volunteers.recognition(hub_id, limit=30, cursor=cursor)
    return await web.render(
        request,
        "thank_you.html",
        title=_("Thank you, volunteers: %(hub)s", hub=hub["name"]),
        hub=hub,
        items=page["items"],
        next_cursor=page.get("next_cursor"),
        cursor=cursor,
    )


@router.get("/places", response_class=HTMLResponse)
async def places(
    request: Request,
    web: WebDep,
    hub_id: Annotated[str | None, Query(max_length=64)] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    hubs = await web.hubs()
    kinds = {k for k, _label in PLACE_KINDS if k}
    params = {
        "hub_id": hub_id if hub_id in {h["id"] for h in hubs} else None,
        "kind": kind if kind in kinds else None,
        "q": q.strip() if q and q.strip() else None,
        "limit": 25,
        "cursor": cursor,
    }
    message = None
    try:
        page = await web.services.assets.search(params)
    except ServiceProblem as problem:
        if problem.status != 422:
            raise
        page, message = {"items": [], "next_cursor": None}, _("Search using words with letters or numbers.")
    hub = next((h for h in hubs if h["id"] == params["hub_id"]), None)
    visible = page["items"]
    shown_hubs = [hub] if hub else hubs
    return await web.render(
        request,
        "places.html",
        title=_("Community groups, services and places"),
        hub=hub,
        hubs=hubs,
        kinds=PLACE_KINDS,
        chosen={"hub_id": params["hub_id"] or "", "kind": params["kind"] or "", "q": params["q"] or ""},
        items=visible,
        map_config=map_config(web.settings, shown_hubs, points=asset_points(visible), cluster=True),
        next_cursor=page.get("next_cursor"),
        searched=bool(request.query_params),
        message=message,
        hub_names={h["id"]: h["name"] for h in hubs},
    )


@router.get("/places/{asset_id}", response_class=HTMLResponse)
async def place(request: Request, asset_id: str, web: WebDep) -> HTMLResponse:
    asset = await web.services.assets.asset(asset_id)
    if asset.get("status") == "retired":
        raise ServiceProblem("assets", 404, "Not found", "not a public place")
    hubs = await web.hubs()
    hub = next((h for h in hubs if h["id"] == asset["hub_id"]), None)
    return await web.render(request, "place.html", title=asset["name"], hub=hub, asset=asset, weekdays=WEEKDAYS)


@router.get("/language/{code}")
async def choose_language(
    code: str, web: WebDep, back: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    """The switch in every page's header: remember the language in a cookie and go back to the page.
    A link, not a form, so that it works without JavaScript and from any page; it changes nothing
    but how pages are worded."""
    if code not in i18n.LANGUAGES:
        raise ServiceProblem("web", 404, "Not found", f"no language {code}")
    response = web.redirect(i18n.switch_target(back))
    response.set_cookie(
        i18n.COOKIE,
        code,
        max_age=i18n.COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=web.settings.cookie_secure,
        path="/",
    )
    return response


@router.get("/privacy", response_class=HTMLResponse)
async def privacy(request: Request, web: WebDep) -> HTMLResponse:
    return await web.render(request, "privacy.html", title=_("How we use your information"))


@router.get("/accessibility", response_class=HTMLResponse)
async def accessibility(request: Request, web: WebDep) -> HTMLResponse:
    return await web.render(request, "accessibility.html", title=_("Accessibility statement"))

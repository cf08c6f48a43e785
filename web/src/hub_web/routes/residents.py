"""Residents: report a problem step by step, see problems nearby, say "me too", follow and answer feedback.

The report flow keeps no server-side state: each step posts every earlier answer as hidden fields
(one question per page, GOV.UK style), and the last step sends the report to the issues service.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import timedelta
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import UploadFile

from hub_common.residents import is_email_resident
from hub_web import forms, i18n
from hub_web.clients import ServiceProblem
from hub_web.deps import Form, WebDep
from hub_web.forms import Errors, FormData
from hub_web.i18n import _
from hub_web.maps import issue_points, map_config
from hub_web.routes.public import hub_or_404
from hub_web.web import OPEN_STATUSES, Web, status_words

router = APIRouter(include_in_schema=False)

STEP_FIELDS = {
    "place": ("hub_id", "address", "lat", "lon"),
    "category": ("service_code",),
    "details": ("description", "media_url", "photos"),
    "contact": ("name", "email", "phone"),
}
STEPS = tuple(STEP_FIELDS)
NEAR_RADIUS_M = 1500
NEARBY_REPORT_RADIUS_M = 500  # what the report map marks around the chosen spot: a few streets
NEARBY_REPORT_LIMIT = 50
MAX_PHOTOS = 3
# The issues service judges each photo (type by content, size, pixels); this only bounds what the web
# app reads into memory on its way there (three photos of the service's default 10 MB).
MAX_PHOTO_BYTES = 3 * 10_000_000
PHOTO_TYPES = "image/jpeg,image/png,image/webp"


def carried(form: FormData, step: str, **overrides: str | None) -> list[tuple[str, str]]:
    """Answers to carry as hidden fields on ``step``'s page: everything except that step's own fields."""
    own = set(STEP_FIELDS[step]) | {"step", "back"} | set(overrides)
    items = [(k, v) for k, v in form.without(*own) if not (step == "details" and k.startswith("attr-"))]
    return items + [(k, v) for k, v in overrides.items() if v]


async def render_step(
    request: Request, web: Web, step: str, form: FormData, errors: Errors | None = None, **context: Any
) -> HTMLResponse:
    hubs = await web.hubs()
    hub_id = context.pop("hub_id", None) or form.one("hub_id")
    hub = next((h for h in hubs if h["id"] == hub_id), None)
    if step == "place":
        return await web.render(
            request,
            "report/place.html",
            title=_("Where is the problem?"),
            errors=errors,
            form=form,
            hubs=hubs,
            map_config=map_config(web.settings, hubs, pick=True, nearby_url="/report/nearby"),
            hidden=carried(form, "place"),
            found=context.get("found", []),
        )
    assert hub is not None
    categories = [i18n.localised_category(c) for c in await web.services.issues.categories(hub["id"])]
    if step == "category":
        groups: dict[str, list[dict[str, Any]]] = {}
        for c in sorted(categories, key=lambda c: (c["group"], c["name"])):
            groups.setdefault(c["group"] or _("Other"), []).append(c)
        return await web.render(
            request,
            "report/category.html",
            title=_("What is the problem?"),
            errors=errors,
            form=form,
            hub=hub,
            options=[(c["code"], c["name"], c["description"]) for c in categories],
            hidden=carried(form, "category", hub_id=hub["id"]),
            **context,
        )
    category = next((c for c in categories if c["code"] == form.one("service_code")), None)
    if category is None:  # a tampered or outdated form: start the category step again
        return await render_step(request, web, "category", form, hub_id=hub["id"])
    if step == "details":
        attributes = sorted(
            (a for a in category["attributes"] if a.get("variable", True)), key=lambda a: a.get("order", 0)
        )
        return await web.render(
            request,
            "report/details.html",
            title=_("Tell us about the %(what)s", what=category["name"].lower()),
            errors=errors,
            form=form,
            hub=hub,
            category=category,
            attributes=attributes,
            field_for=forms.attribute_field,
            photo_types=PHOTO_TYPES,
            photos_attached=len(form.all("photo_id")),
            hidden=carried(form, "details", hub_id=hub["id"]),
        )
    session = web.session(request)
    return await web.render(
        request,
        "report/contact.html",
        title=_("How can we tell you what happens?"),
        errors=errors,
        form=form,
        hub=hub,
        category=category,
        known_name=session.name or "",
        hidden=carried(form, "contact", hub_id=hub["id"]),
    )


@router.get("/report", response_class=HTMLResponse)
async def report_start(
    request: Request, web: WebDep, hub_id: Annotated[str | None, Query(max_length=64)] = None
) -> HTMLResponse:
    start = FormData([("idempotency_key", uuid.uuid4().hex), *([("hub_id", hub_id)] if hub_id else [])])
    return await render_step(request, web, "place", start)


@router.post("/report", response_class=HTMLResponse)
async def report_step(request: Request, web: WebDep, form: Form) -> Response:
    step = form.one("step")
    if step not in STEPS:
        return await render_step(request, web, "place", form)
    if form.one("back"):
        return await render_step(request, web, STEPS[max(STEPS.index(step) - 1, 0)], form)
    hubs = await web.hubs()
    if step == "place" and form.one("find"):
        return await find_place(request, web, form)
    if step == "place":
        place, errors = forms.check_place(form, [h["id"] for h in hubs])
        if errors:
            return await render_step(request, web, "place", form, errors)
        hub_id = place.hub_id
        if place.lat is not None and place.lon is not None:
            hub_id = await web.services.issues.locate(place.lat, place.lon) or hub_id
        if hub_id is None:
            errors.add("hub_id", _("Choose the area the problem is in"))
            return await render_step(request, web, "place", form, errors)
        moved = hub_id != place.hub_id and place.hub_id is not None
        note = (
            _("The place you marked is in %(hub)s.", hub=(await web.hub_names()).get(hub_id, hub_id)) if moved else None
        )
        return await render_step(request, web, "category", form, hub_id=hub_id, area_note=note)
    hub_id = form.one("hub_id")
    if hub_id not in {h["id"] for h in hubs}:
        return await render_step(request, web, "place", form)
    categories = [i18n.localised_category(c) for c in await web.services.issues.categories(hub_id)]
    if step == "category":
        _code, errors = forms.check_category(form, categories)
        return await render_step(request, web, "details" if not errors else "category", form, errors or None)
    category = next((c for c in categories if c["code"] == form.one("service_code")), None)
    if category is None:
        return await render_step(request, web, "category", form)
    details, errors = forms.check_details(form, category)
    if errors:
        return await render_step(request, web, "details", form, errors)
    if step == "details":
        form, errors = await with_photos(request, web, form)
        return await render_step(request, web, "details" if errors else "contact", form, errors or None)
    contact, errors = forms.check_contact(form)
    if errors:
        return await render_step(request, web, "contact", form, errors)
    return await send_report(request, web, form, hub_id, category, details, contact)


async def find_place(request: Request, web: Web, form: FormData) -> HTMLResponse:
    """ "Find" on the place step: the address or postcode typed gives the position (the best match
    fills it in, the others are listed), so a resident need not know their latitude."""
    query, errors = form.one("address"), Errors()
    found = await web.services.issues.places(query) if len(query) >= 2 else []
    if len(query) < 2:
        errors.add("address", _("Enter an address, a street or a postcode to find it"))
    elif not found:
        errors.add("address", _("We could not find that place. Check it, or mark the spot on the map below."))
    if errors:
        return await render_step(request, web, "place", form, errors)
    best = found[0]
    placed = FormData([*form.without("lat", "lon", "find"), ("lat", str(best["lat"])), ("lon", str(best["lon"]))])
    return await render_step(request, web, "place", placed, found=found)


def position(lat: str, lon: str) -> tuple[forms.Place, Errors]:
    """A position typed or sent in a query, checked as the place step checks it."""
    return forms.check_place(FormData([("lat", lat), ("lon", lon), ("address", "-")]), [])


def open_issues(limit: int) -> list[tuple[str, Any]]:
    return [*(("status", s) for s in OPEN_STATUSES), ("limit", limit)]


@router.get("/report/nearby")
async def reports_nearby(
    web: WebDep,
    lat: Annotated[str, Query(max_length=30)] = "",
    lon: Annotated[str, Query(max_length=30)] = "",
) -> JSONResponse:
    """The open reports around a spot, for the report map (static/map.js) to mark before the resident
    sends theirs: only what the public issue pages show (what, status, "me too"s, where)."""
    place, errors = position(lat, lon)
    if errors or place.lat is None or place.lon is None:
        return JSONResponse({"detail": "give lat and lon as numbers"}, status_code=422)
    params = [
        *open_issues(NEARBY_REPORT_LIMIT),
        ("lat", place.lat),
        ("lon", place.lon),
        ("radius_m", NEARBY_REPORT_RADIUS_M),
    ]
    issues = (await web.services.issues.issues(params))["items"]
    points = issue_points(issues, "/issues/{id}")
    return JSONResponse({"items": [p | {"status": status_words(p["status"])} for p in points]})


async def with_photos(request: Request, web: Web, form: FormData) -> tuple[FormData, Errors | None]:
    """The details step's chosen photos, uploaded to the issues service: the form then carries their
    ids to the last step (files cannot be carried as hidden fields). Choosing none keeps the earlier ones."""
    files = [
        (value.filename or "photo", await value.read(MAX_PHOTO_BYTES + 1), value.content_type or "")
        for value in (await request.form()).getlist("photos")
        if isinstance(value, UploadFile) and value.filename
    ]
    errors = Errors()
    if len(files) > MAX_PHOTOS:
        errors.add("photos", _("Choose up to %(n)s photos", n=MAX_PHOTOS))
    elif sum(len(data) for _name, data, _type in files) > MAX_PHOTO_BYTES:
        errors.add("photos", _("The photos are too large together: choose smaller ones"))
    if errors or not files:
        return form, errors or None
    # The same photos under the same report answer with the same ids, however often the step is sent.
    digest = hashlib.sha256(b"".join(hashlib.sha256(data).digest() for _name, data, _type in files)).hexdigest()
    key = f"{form.one('idempotency_key') or uuid.uuid4().hex}-photos-{digest[:32]}"
    try:
        ids = await web.services.issues.upload_photos(await reporter_token(request, web), files, key)
    except ServiceProblem as problem:
        if problem.status not in (413, 422):
            raise
        return form, forms.from_problem(problem, forms.REPORT_FIELDS)
    return FormData([*form.without("photo_id"), *(("photo_id", photo_id) for photo_id in ids)]), None


async def reporter_token(request: Request, web: Web) -> str:
    """Whom a report (and its photos) is sent as: staff as themselves, anyone else as a resident."""
    return await web.token(request) if web.session(request).is_staff else await web.resident_token(request)


async def send_report(
    request: Request,
    web: Web,
    form: FormData,
    hub_id: str,
    category: dict[str, Any],
    details: dict[str, Any],
    contact: dict[str, Any],
) -> Response:
    lat, lon = forms.parse_float(form.one("lat")), forms.parse_float(form.one("lon"))
    body: dict[str, Any] = {
        "service_code": category["code"],
        "description": details["description"],
        "attributes": details["attributes"],
        "contact": {k: v for k, v in contact.items() if v},
    }
    if body["contact"]:
        body["contact"]["language"] = i18n.current()  # the hub writes back in the language they reported in
    if lat is not None and lon is not None:
        body |= {"lat": lat, "lon": lon}
    else:
        body["jurisdiction_id"] = hub_id
    if form.one("address"):
        body["address"] = form.one("address")
    if details["media_url"]:
        body["media_url"] = details["media_url"]
    if form.all("photo_id"):
        body["photo_ids"] = form.all("photo_id")[:MAX_PHOTOS]
    session = web.session(request)
    token = await reporter_token(request, web)
    try:
        result = await web.services.issues.report(token, body, form.one("idempotency_key") or uuid.uuid4().hex)
    except ServiceProblem as problem:
        if problem.status not in (409, 422):
            raise
        errors = forms.from_problem(problem, forms.REPORT_FIELDS)
        step = "contact"
        for candidate in STEPS:  # show the earliest step with a problem
            if any(f in errors.fields for f in STEP_FIELDS[candidate]) or (
                candidate == "details" and any(f.startswith("attr-") for f in errors.fields)
            ):
                step = candidate
                break
        return await render_step(request, web, step, form, errors)
    issue = result["issue"]
    session.remember_report(issue["id"])
    duplicates = len(result.get("likely_duplicates") or [])
    message = _("Your report has been sent. Its reference is %(ref)s.", ref=issue["id"])
    if duplicates:
        message += " " + _("Someone may already have reported the same problem nearby; the hub will link them up.")
    session.set_flash(message)
    return web.redirect(f"/issues/{issue['id']}")


# -- problems nearby, one problem, "me too", feedback -----------------------------------------------


@router.get("/issues", response_class=HTMLResponse)
async def issues_near(
    request: Request,
    web: WebDep,
    hub_id: Annotated[str | None, Query(max_length=64)] = None,
    lat: Annotated[str | None, Query(max_length=30)] = None,
    lon: Annotated[str | None, Query(max_length=30)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    hubs = await web.hubs()
    form = FormData([(k, v) for k, v in (("hub_id", hub_id), ("lat", lat), ("lon", lon)) if v])
    errors = Errors()
    params = open_issues(25)
    if cursor:
        params.append(("cursor", cursor))
    searched = bool(hub_id or lat or lon)
    if lat or lon:
        place, errors = position(lat or "", lon or "")
        if not errors and place.lat is not None and place.lon is not None:
            params += [("lat", place.lat), ("lon", place.lon), ("radius_m", NEAR_RADIUS_M)]
    if hub_id and hub_id in {h["id"] for h in hubs}:
        params.append(("hub_id", hub_id))
    page = await web.services.issues.issues(params) if searched and not errors else {"items": [], "next_cursor": None}
    hub = next((h for h in hubs if h["id"] == hub_id), None)
    return await web.render(
        request,
        "issues.html",
        title=_("Problems reported near you"),
        errors=errors,
        form=form,
        hub=hub,
        hubs=hubs,
        items=page["items"],
        next_cursor=page.get("next_cursor"),
        searched=searched,
    )


async def sign_in_from_link(web: Web, request: Request, token: str) -> bool:
    """A link from one of our emails carries a resident token: sign this browser in as that person."""
    principal = await web.link_principal(token)
    if principal is None:
        return False
    expires = float(jwt.decode(token, options={"verify_signature": False}).get("exp", 0))
    session = web.session(request)
    limit = timedelta(days=web.settings.resident_session_days).total_seconds()
    ttl = timedelta(seconds=max(min(expires - time.time(), limit), 60))
    if session.sub != principal.sub:
        # A link whose sub is an email-derived one (an emailed sign-in link's) proves the address as
        # well as that one does: the session is verified. An acknowledgement's link names the browser's
        # own pseudonymous resident who reported: it signs in as them, unverified.
        verified = is_email_resident(principal.sub)
        session.sign_in(
            kind="resident", sub=principal.sub, role="resident", hubs=principal.hubs, ttl=ttl, verified=verified
        )
    return True


@router.get("/issues/{issue_id}", response_class=HTMLResponse)
async def issue_page(
    request: Request, issue_id: str, web: WebDep, token: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    session = web.session(request)
    if token is not None:
        if await sign_in_from_link(web, request, token):
            session.remember_report(issue_id)
        else:
            session.set_flash(_("That link has expired, but you can still see the report here."))
        return web.redirect(f"/issues/{issue_id}")  # drop the token from the address bar and history
    issue, _etag = await web.services.issues.issue(issue_id, token=await web.token(request))
    hub = next((h for h in await web.hubs() if h["id"] == issue["hub_id"]), None)
    return await web.render(
        request,
        "issue.html",
        title=f"{(await web.category_words()).get(issue['service_name'], issue['service_name'])}: {issue['id']}",
        hub=hub,
        issue=issue,
        yours=issue_id in session.reports,
        is_open=issue["status"] in OPEN_STATUSES,
    )


@router.post("/issues/{issue_id}/support")
async def support(request: Request, issue_id: str, web: WebDep, form: Form) -> Response:
    token = await web.resident_token(request)
    try:
        await web.services.issues.support(token, issue_id)
    except ServiceProblem as problem:
        if problem.status != 409:
            raise
        web.session(request).set_flash(_("This problem is no longer open, so it cannot take more support."))
        return web.redirect(f"/issues/{issue_id}")
    web.session(request).set_flash(_("Thank you. We have added your support, and you will hear about updates."))
    return web.redirect(f"/issues/{issue_id}")


@router.get("/issues/{issue_id}/feedback", response_class=HTMLResponse)
async def feedback_form(
    request: Request, issue_id: str, web: WebDep, token: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    if token is not None:
        if await sign_in_from_link(web, request, token):
            web.session(request).remember_report(issue_id)
        else:
            web.session(request).set_flash(_("That link has expired. Answer using the latest email from the hub."))
            return web.redirect(f"/issues/{issue_id}")
        return web.redirect(f"/issues/{issue_id}/feedback")
    issue, _etag = await web.services.issues.issue(issue_id)
    return await web.render(request, "feedback.html", title=_("Is the problem fixed?"), issue=issue)


@router.post("/issues/{issue_id}/feedback", response_class=HTMLResponse)
async def feedback_send(request: Request, issue_id: str, web: WebDep, form: Form) -> Response:
    issue, _etag = await web.services.issues.issue(issue_id)
    body, errors = forms.check_feedback(form)
    token = await web.token(request)
    if not errors and token is None:
        errors.general.append(_("Use the link in the email the hub sent you to answer."))
    if not errors:
        try:
            await web.services.issues.feedback(token or "", issue_id, body)
        except ServiceProblem as problem:
            if problem.status not in (403, 409, 422):
                raise
            errors = forms.from_problem(
                problem, {"fixed": "fixed", "satisfaction": "satisfaction", "comment": "comment"}
            )
    if errors:
        return await web.render(
            request, "feedback.html", title=_("Is the problem fixed?"), issue=issue, errors=errors, form=form
        )
    reopened = not body["fixed"]
    web.session(request).set_flash(
        _("Thank you for your answer. We have reopened the problem.") if reopened else _("Thank you for your answer.")
    )
    return web.redirect(f"/issues/{issue_id}")


@router.get("/my-reports", response_class=HTMLResponse)
async def my_reports(request: Request, web: WebDep) -> HTMLResponse:
    session = web.session(request)
    items = []
    for issue_id in session.reports:
        try:
            issue, _etag = await web.services.issues.issue(issue_id)
        except ServiceProblem as problem:
            if problem.status != 404:
                raise
            continue
        items.append(issue)
    return await web.render(request, "my_reports.html", title=_("Your reports"), items=items)


@router.post("/my-reports/forget")
async def forget_me(request: Request, web: WebDep, form: Form) -> Response:
    session = web.session(request)
    token = await web.token(request)
    if token is not None and session.role == "resident":
        await web.services.issues.forget_me(token)
    session.sign_out()
    session.set_flash(_("We have removed your name and contact details from your reports."))
    return web.redirect("/")


@router.get("/hubs/{hub_id}/report")
async def report_in_hub(hub_id: str, web: WebDep) -> Response:
    await hub_or_404(web, hub_id)
    return web.redirect(f"/report?hub_id={hub_id}")

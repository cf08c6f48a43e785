"""Ward councillors' pages: their ward's brief, and their public comment on an idea of their ward.

A councillor signs in like staff (the council's provider, or a configured account) but is not hub
staff: the staff console refuses them. The brief is composed here from two services' answers,
fetched at once: participation's councillor brief (ideas waiting for an answer, the most supported,
forums to come, open forum actions) and the issues service's public figures and priorities.
"""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hub_web import participation_forms as pforms
from hub_web.clients import ServiceProblem
from hub_web.deps import Form, NeedsSignIn, NotAllowed, WebDep
from hub_web.forms import Errors, FormData, check_email
from hub_web.routes.participate import idea_page, idea_words
from hub_web.routes.public import hub_or_404
from hub_web.session import Session
from hub_web.web import Web

router = APIRouter(include_in_schema=False)
PRIORITIES = 5


def councillor_of(request: Request, session: Session, hub_id: str | None = None) -> Session:
    """The signed-in councillor (of ``hub_id``, when given); a sign-in or a 403 page otherwise."""
    if not session.is_councillor:
        raise NeedsSignIn(quote(request.url.path))
    if hub_id is not None and not session.represents(hub_id):
        raise NotAllowed("You are not a councillor for this hub.")
    return session


@router.get("/councillor", response_class=HTMLResponse)
async def wards(request: Request, web: WebDep) -> Response:
    session = councillor_of(request, web.session(request))
    if len(session.hubs) == 1:
        return web.redirect(f"/councillor/hubs/{session.hubs[0]}")
    hubs = [await hub_or_404(web, hub_id) for hub_id in session.hubs]
    return await web.render(request, "councillor/wards.html", title="Your wards", hubs=hubs)


@router.get("/councillor/hubs/{hub_id}", response_class=HTMLResponse)
async def brief(request: Request, hub_id: str, web: WebDep) -> HTMLResponse:
    return await brief_page(request, web, hub_id)


async def brief_page(
    request: Request, web: Web, hub_id: str, *, errors: Errors | None = None, form: FormData | None = None
) -> HTMLResponse:
    councillor_of(request, web.session(request), hub_id)
    hub = await hub_or_404(web, hub_id)
    token = await web.token(request) or ""
    issues = web.services.issues
    ward, stats, priorities = await asyncio.gather(
        web.services.participation.councillor_brief(token, hub_id),
        issues.stats(hub_id),
        issues.priorities(hub_id, limit=PRIORITIES),
    )
    return await web.render(
        request,
        "councillor/brief.html",
        status=400 if errors else 200,
        errors=errors,
        form=form,
        title=f"Your ward: {hub['name']}",
        hub=hub,
        brief=ward,
        stats=stats,
        priorities=priorities,
        idea_words=idea_words,
    )


@router.post("/councillor/hubs/{hub_id}/alerts", response_class=HTMLResponse)
async def join_alerts(request: Request, hub_id: str, web: WebDep, form: Form) -> Response:
    """Email (and in-app) alerts of the ward's new ideas and of forum actions agreed, from notifications."""
    session = councillor_of(request, web.session(request), hub_id)
    email, errors = check_email(form, missing="Enter the email address for your alerts")
    if errors:
        return await brief_page(request, web, hub_id, errors=errors, form=form)
    token = await web.token(request) or ""
    await web.services.notifications.join_councillor_alerts(token, hub_id, session.name or "Councillor", email)
    session.set_flash(f"You will be alerted about new ideas and forum actions at {email}, and in your messages.")
    return web.redirect(f"/councillor/hubs/{hub_id}")


@router.post("/ideas/{idea_id}/councillor-comment", response_class=HTMLResponse)
async def comment(request: Request, idea_id: str, web: WebDep, form: Form) -> Response:
    idea, _etag = await web.services.participation.idea(idea_id)
    session = councillor_of(request, web.session(request), idea["hub_id"])  # the service checks again
    text, errors = pforms.check_reason(
        form, "comment", low=3, high=4000, missing="Write your comment for the residents"
    )
    if errors:
        return await idea_page(request, web, idea_id, errors=errors, form=form, status=400)
    token = await web.token(request) or ""
    name = session.name or "Your councillor"
    try:
        await web.services.participation.councillor_comment(
            token, idea_id, text, name, form.one("idempotency_key") or uuid.uuid4().hex
        )
    except ServiceProblem as problem:
        if problem.status not in (403, 409, 422):
            raise
        refused = Errors(general=[problem.detail[:1].upper() + problem.detail[1:]])
        return await idea_page(request, web, idea_id, errors=refused, form=form, status=problem.status)
    session.set_flash("Your comment is published on the idea, as a councillor's. Its followers will hear it.")
    return web.redirect(f"/ideas/{idea_id}")

"""The staff console's participation sections for one hub: moderation and responses to residents'
ideas, forum meetings (schedule, registrations, minutes and actions) and surveys (build, open,
close, repeat in rounds, results with charts, each round beside the others, and the free-text answers).

Only the hub's staff (or an operator) reach these pages (``require_hub``); every call carries
their own token, so the participation service makes the same check again.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hub_web import participation_forms as pforms
from hub_web.clients import ServiceDown, ServiceProblem
from hub_web.deps import Form, Staff, WebDep, require_hub
from hub_web.forms import Errors, FormData, from_problem
from hub_web.routes.participate import idea_words, result_charts
from hub_web.routes.public import hub_or_404
from hub_web.session import Session
from hub_web.web import Web

router = APIRouter(prefix="/staff", include_in_schema=False)
LIST_LIMIT = 100


def _problem_errors(problem: ServiceProblem, fields: dict[str, str] | None = None) -> Errors:
    return from_problem(problem, fields or {})


async def render(request: Request, web: Web, template: str, **context: Any) -> HTMLResponse:
    return await web.render(request, template, idea_words=idea_words, **context)


async def hub_for(web: Web, session: Session, hub_id: str) -> dict[str, Any]:
    require_hub(session, hub_id)
    return await hub_or_404(web, hub_id)


def _section(hub_id: str, part: str = "") -> str:
    return f"/staff/hubs/{hub_id}/participation" + (f"/{part}" if part else "")


# -- the overview ---------------------------------------------------------------------------------


@router.get("/hubs/{hub_id}/participation", response_class=HTMLResponse)
async def overview(request: Request, hub_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    hub = await hub_for(web, session, hub_id)
    token = await web.token(request) or ""
    p = web.services.participation
    recent, waiting, upcoming, surveys = await asyncio.gather(
        p.ideas(hub_id, "newest", limit=LIST_LIMIT),
        p.ideas(hub_id, "support", status="for_response", limit=LIST_LIMIT),
        p.meetings(hub_id, True, limit=LIST_LIMIT),
        p.surveys(hub_id, token=token, limit=LIST_LIMIT),
    )
    return await render(
        request,
        web,
        "staff/participation/overview.html",
        title=f"Have your say: {hub['name']}",
        hub=hub,
        flagged=[i for i in recent["items"] if i["flag_count"]],
        waiting=waiting["items"],
        upcoming=upcoming["items"],
        surveys=surveys,
    )


# -- ideas: moderation and responses --------------------------------------------------------------


@router.get("/hubs/{hub_id}/participation/ideas", response_class=HTMLResponse)
async def ideas(request: Request, hub_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    hub = await hub_for(web, session, hub_id)
    p = web.services.participation
    recent, waiting, accepted = await asyncio.gather(
        p.ideas(hub_id, "newest", limit=LIST_LIMIT),
        p.ideas(hub_id, "support", status="for_response", limit=LIST_LIMIT),
        p.ideas(hub_id, "newest", status="accepted", limit=LIST_LIMIT),
    )
    items = recent["items"]
    return await render(
        request,
        web,
        "staff/participation/ideas.html",
        title=f"Ideas: {hub['name']}",
        hub=hub,
        flagged=sorted((i for i in items if i["flag_count"]), key=lambda i: -i["flag_count"]),
        waiting=waiting["items"],
        accepted=[i for i in accepted["items"] if not any(p["done"] for p in i["progress"])],
        open_ideas=[i for i in items if i["status"] == "open"],
    )


async def idea_page(
    request: Request,
    web: Web,
    session: Session,
    idea_id: str,
    *,
    errors: Errors | None = None,
    form: FormData | None = None,
    status: int = 200,
) -> HTMLResponse:
    idea, _etag = await web.services.participation.idea(idea_id)
    hub = await hub_for(web, session, idea["hub_id"])
    return await render(
        request,
        web,
        "staff/participation/idea.html",
        status=status,
        title=f"Idea: {idea['title'] or 'hidden'}",
        hub=hub,
        idea=idea,
        errors=errors,
        form=form or FormData([("idempotency_key", uuid.uuid4().hex)]),
        progress_done=any(p["done"] for p in idea["progress"]),
    )


@router.get("/ideas/{idea_id}", response_class=HTMLResponse)
async def idea(request: Request, idea_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    return await idea_page(request, web, session, idea_id)


async def _idea_action(request: Request, web: Web, session: Session, idea_id: str, form: FormData, act) -> Response:
    """Check the hub, run ``act(token, idea, etag)``; a 409/412/422 shows the idea page with the reason."""
    idea, etag = await web.services.participation.idea(idea_id)
    require_hub(session, idea["hub_id"])
    token = await web.token(request) or ""
    try:
        message = await act(token, idea, etag)
    except ServiceProblem as problem:
        if problem.status not in (409, 412, 422):
            raise
        return await idea_page(
            request, web, session, idea_id, errors=_problem_errors(problem), form=form, status=problem.status
        )
    session.set_flash(message)
    return web.redirect(f"/staff/ideas/{idea_id}")


@router.post("/ideas/{idea_id}/hide", response_class=HTMLResponse)
async def hide(request: Request, idea_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    reason, errors = pforms.check_reason(
        form, "reason", low=3, high=500, missing="Give the public reason for hiding it: residents see it"
    )
    if errors:
        return await idea_page(request, web, session, idea_id, errors=errors, form=form, status=400)

    async def act(token: str, idea: dict[str, Any], etag: str | None) -> str:
        await web.services.participation.hide(token, idea_id, reason, etag)
        return "The idea is hidden. Its page shows your reason instead of its wording."

    return await _idea_action(request, web, session, idea_id, form, act)


@router.post("/ideas/{idea_id}/respond", response_class=HTMLResponse)
async def respond(request: Request, idea_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    body, errors = pforms.check_response(form)
    if errors:
        return await idea_page(request, web, session, idea_id, errors=errors, form=form, status=400)

    async def act(token: str, idea: dict[str, Any], etag: str | None) -> str:
        key = form.one("idempotency_key") or uuid.uuid4().hex
        await web.services.participation.respond(token, idea_id, body, etag, key)
        return "Your answer is published on the idea's page, and its followers are told."

    return await _idea_action(request, web, session, idea_id, form, act)


@router.post("/ideas/{idea_id}/progress", response_class=HTMLResponse)
async def progress(request: Request, idea_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    note, errors = pforms.check_reason(form, "note", low=3, high=4000, missing="Write the progress update")
    if errors:
        return await idea_page(request, web, session, idea_id, errors=errors, form=form, status=400)

    async def act(token: str, idea: dict[str, Any], etag: str | None) -> str:
        key = form.one("idempotency_key") or uuid.uuid4().hex
        body = {"note": note, "done": form.one("done") == "yes"}
        await web.services.participation.progress(token, idea_id, body, key)
        return "The progress update is published, and the idea's followers are told."

    return await _idea_action(request, web, session, idea_id, form, act)


# -- forum meetings -------------------------------------------------------------------------------


async def _rooms(web: Web, hub_id: str) -> tuple[dict[str, str], str | None]:
    """The hub's rooms (assets service) for the schedule form; the form still offers online without them."""
    try:
        page = await web.services.assets.search({"hub_id": hub_id, "kind": "room", "limit": 50})
    except (ServiceDown, ServiceProblem):
        return {}, "The hub's rooms cannot be listed right now: choose online, or try again in a few minutes."
    return {r["id"]: r["name"] for r in page["items"]}, None


@router.get("/hubs/{hub_id}/participation/meetings", response_class=HTMLResponse)
async def meetings(request: Request, hub_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    hub = await hub_for(web, session, hub_id)
    upcoming, past = await asyncio.gather(
        web.services.participation.meetings(hub_id, True, limit=LIST_LIMIT),
        web.services.participation.meetings(hub_id, False, limit=LIST_LIMIT),
    )
    return await render(
        request,
        web,
        "staff/participation/meetings.html",
        title=f"Forum meetings: {hub['name']}",
        hub=hub,
        upcoming=upcoming["items"],
        past=past["items"],
    )


async def schedule_page(
    request: Request, web: Web, hub: dict[str, Any], form: FormData, errors: Errors | None = None, status: int = 200
) -> HTMLResponse:
    rooms, rooms_error = await _rooms(web, hub["id"])
    return await render(
        request,
        web,
        "staff/participation/schedule.html",
        status=status,
        title="Schedule a forum meeting",
        hub=hub,
        form=form,
        errors=errors,
        rooms=rooms,
        rooms_error=rooms_error,
    )


@router.get("/hubs/{hub_id}/participation/meetings/new", response_class=HTMLResponse)
async def schedule_form(request: Request, hub_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    hub = await hub_for(web, session, hub_id)
    start = FormData(
        [
            ("idempotency_key", uuid.uuid4().hex),
            ("capacity", "40"),
            ("top_ideas", "3"),
            ("top_priorities", "3"),
            ("waitlist", "yes"),
        ]
    )
    return await schedule_page(request, web, hub, start)


@router.post("/hubs/{hub_id}/participation/meetings/new", response_class=HTMLResponse)
async def schedule(request: Request, hub_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    hub = await hub_for(web, session, hub_id)
    rooms, _error = await _rooms(web, hub_id)
    body, errors = pforms.check_meeting(form, hub_id, rooms, datetime.now(UTC))
    if errors:
        return await schedule_page(request, web, hub, form, errors, status=400)
    token = await web.token(request) or ""
    try:
        key = form.one("idempotency_key") or uuid.uuid4().hex
        meeting = await web.services.participation.schedule(token, body, key)
    except ServiceProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await schedule_page(request, web, hub, form, from_problem(problem, pforms.MEETING_FIELDS), status=400)
    in_room = body["place"]["kind"] == "room"
    note = " The room has been asked for: its status shows on the meeting's page." if in_room else ""
    session.set_flash("The meeting is scheduled and residents can register." + note)
    return web.redirect(f"/staff/meetings/{meeting['id']}")


async def meeting_page(
    request: Request,
    web: Web,
    session: Session,
    meeting_id: str,
    *,
    errors: Errors | None = None,
    form: FormData | None = None,
    status: int = 200,
) -> HTMLResponse:
    meeting, _etag = await web.services.participation.meeting(meeting_id)
    hub = await hub_for(web, session, meeting["hub_id"])
    token = await web.token(request) or ""
    try:
        needs = await web.services.participation.access_needs(token, meeting_id)
    except (ServiceDown, ServiceProblem):
        needs = None
    started = datetime.fromisoformat(meeting["starts_at"]) <= datetime.now(UTC)
    return await render(
        request,
        web,
        "staff/participation/meeting.html",
        status=status,
        title=f"Forum meeting: {meeting['title']}",
        hub=hub,
        meeting=meeting,
        needs=needs,
        started=started,
        action_rows=range(1, pforms.MAX_ACTIONS + 1),
        errors=errors,
        form=form or FormData(),
    )


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
async def meeting(request: Request, meeting_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    return await meeting_page(request, web, session, meeting_id)


async def _meeting_action(
    request: Request, web: Web, session: Session, meeting_id: str, form: FormData, act
) -> Response:
    meeting, etag = await web.services.participation.meeting(meeting_id)
    require_hub(session, meeting["hub_id"])
    token = await web.token(request) or ""
    try:
        message = await act(token, etag)
    except ServiceProblem as problem:
        if problem.status not in (409, 412, 422):
            raise
        errors = from_problem(problem, {"minutes": "minutes", "reason": "reason"})
        return await meeting_page(request, web, session, meeting_id, errors=errors, form=form, status=problem.status)
    session.set_flash(message)
    return web.redirect(f"/staff/meetings/{meeting_id}")


@router.post("/meetings/{meeting_id}/cancel", response_class=HTMLResponse)
async def cancel_meeting(request: Request, meeting_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    reason, errors = pforms.check_reason(
        form, "reason", low=3, high=500, missing="Give the reason: everyone registered is told it"
    )
    if errors:
        return await meeting_page(request, web, session, meeting_id, errors=errors, form=form, status=400)

    async def act(token: str, etag: str | None) -> str:
        await web.services.participation.cancel_meeting(token, meeting_id, reason, etag)
        return "The meeting is called off, and everyone registered is told why."

    return await _meeting_action(request, web, session, meeting_id, form, act)


@router.post("/meetings/{meeting_id}/minutes", response_class=HTMLResponse)
async def minutes(request: Request, meeting_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    body, errors = pforms.check_minutes(form)
    if errors:
        return await meeting_page(request, web, session, meeting_id, errors=errors, form=form, status=400)

    async def act(token: str, etag: str | None) -> str:
        await web.services.participation.publish_minutes(token, meeting_id, body, etag)
        return "The minutes are published, and everyone who had a place is told."

    return await _meeting_action(request, web, session, meeting_id, form, act)


@router.post("/meetings/{meeting_id}/actions/{action_id}/complete", response_class=HTMLResponse)
async def complete(
    request: Request, meeting_id: str, action_id: str, web: WebDep, session: Staff, form: Form
) -> Response:
    field = f"note-{action_id}"
    note, errors = pforms.check_reason(form, field, low=3, high=4000, missing="Say what was done: residents see it")
    if errors:
        return await meeting_page(request, web, session, meeting_id, errors=errors, form=form, status=400)

    async def act(token: str, etag: str | None) -> str:
        await web.services.participation.complete_action(token, meeting_id, action_id, note, etag)
        return "The action is marked done. It shows in the hub's You said, we did."

    return await _meeting_action(request, web, session, meeting_id, form, act)


# -- surveys --------------------------------------------------------------------------------------


@router.get("/hubs/{hub_id}/participation/surveys", response_class=HTMLResponse)
async def surveys(request: Request, hub_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    hub = await hub_for(web, session, hub_id)
    token = await web.token(request) or ""
    found = await web.services.participation.surveys(hub_id, token=token, limit=LIST_LIMIT)
    return await render(
        request, web, "staff/participation/surveys.html", title=f"Surveys: {hub['name']}", hub=hub, surveys=found
    )


async def builder_page(
    request: Request, web: Web, hub: dict[str, Any], form: FormData, errors: Errors | None = None, status: int = 200
) -> HTMLResponse:
    return await render(
        request,
        web,
        "staff/participation/survey_new.html",
        status=status,
        title="Start a survey",
        hub=hub,
        form=form,
        errors=errors,
        kinds=pforms.KINDS,
        rows=range(1, pforms.MAX_QUESTIONS + 1),
        repeat_months=pforms.REPEAT_MONTHS,
    )


@router.get("/hubs/{hub_id}/participation/surveys/new", response_class=HTMLResponse)
async def survey_form(request: Request, hub_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    hub = await hub_for(web, session, hub_id)
    return await builder_page(request, web, hub, FormData([("idempotency_key", uuid.uuid4().hex)]))


@router.post("/hubs/{hub_id}/participation/surveys/new", response_class=HTMLResponse)
async def create_survey(request: Request, hub_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    hub = await hub_for(web, session, hub_id)
    body, errors = pforms.check_survey(form, hub_id)
    if errors:
        return await builder_page(request, web, hub, form, errors, status=400)
    token = await web.token(request) or ""
    try:
        survey = await web.services.participation.create_survey(
            token, body, form.one("idempotency_key") or uuid.uuid4().hex
        )
    except ServiceProblem as problem:
        if problem.status not in (409, 422):
            raise
        fields = {"title": "title", "intro": "intro", "localities": "localities", "questions": "question-1-text",
                  "recurrence.every_months": "repeat_months", "recurrence.open_days": "open_days",
                  "recurrence": "open_days"}  # fmt: skip
        return await builder_page(request, web, hub, form, from_problem(problem, fields), status=400)
    session.set_flash("The survey is saved as a draft. Check its questions, then open it for answers.")
    return web.redirect(f"/staff/surveys/{survey['id']}")


async def survey_page(
    request: Request,
    web: Web,
    session: Session,
    survey_id: str,
    *,
    errors: Errors | None = None,
    form: FormData | None = None,
    status: int = 200,
) -> HTMLResponse:
    token = await web.token(request) or ""
    survey, _etag = await web.services.participation.survey(survey_id, token=token)
    hub = await hub_for(web, session, survey["hub_id"])
    results, panel_size, waves = None, 0, None
    if survey["status"] != "draft":
        results = await web.services.participation.results(survey_id, token=token)
        if survey.get("series_id"):
            waves = await web.services.participation.waves(survey_id, token=token)
    else:
        panel_size = await web.services.participation.panel_size(token, survey["hub_id"])
    return await render(
        request,
        web,
        "staff/participation/survey.html",
        status=status,
        title=f"Survey: {survey['title']}",
        hub=hub,
        survey=survey,
        results=results,
        shown=result_charts(results) if results else [],
        texts_href=lambda q: f"/staff/surveys/{survey_id}/questions/{q}/texts",
        panel_size=panel_size,
        waves=waves,
        errors=errors,
        form=form or FormData(),
    )


@router.get("/surveys/{survey_id}", response_class=HTMLResponse)
async def survey(request: Request, survey_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    return await survey_page(request, web, session, survey_id)


async def _survey_action(request: Request, web: Web, session: Session, survey_id: str, form: FormData, act) -> Response:
    token = await web.token(request) or ""
    survey, etag = await web.services.participation.survey(survey_id, token=token)
    require_hub(session, survey["hub_id"])
    try:
        message = await act(token, etag)
    except ServiceProblem as problem:
        if problem.status not in (409, 412, 422):
            raise
        errors = from_problem(problem, {"closes_at": "closes-day"})
        return await survey_page(request, web, session, survey_id, errors=errors, form=form, status=problem.status)
    session.set_flash(message)
    return web.redirect(f"/staff/surveys/{survey_id}")


@router.post("/surveys/{survey_id}/open", response_class=HTMLResponse)
async def open_survey(request: Request, survey_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    closes_at, errors = pforms.check_closes(form, datetime.now(UTC))
    if errors:
        return await survey_page(request, web, session, survey_id, errors=errors, form=form, status=400)

    async def act(token: str, etag: str | None) -> str:
        invite = form.one("invite_panel") == "yes"
        await web.services.participation.open_survey(token, survey_id, closes_at, etag, invite_panel=invite)
        asked = " The citizens' panel is being asked by email." if invite else ""
        return "The survey is open: residents find it on the hub's surveys page." + asked

    return await _survey_action(request, web, session, survey_id, form, act)


@router.post("/surveys/{survey_id}/close", response_class=HTMLResponse)
async def close_survey(request: Request, survey_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    async def act(token: str, etag: str | None) -> str:
        await web.services.participation.close_survey(token, survey_id, etag)
        return "The survey is closed and its results are published."

    return await _survey_action(request, web, session, survey_id, form, act)


@router.post("/surveys/{survey_id}/stop-repeating", response_class=HTMLResponse)
async def stop_repeating(request: Request, survey_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    async def act(token: str, etag: str | None) -> str:
        await web.services.participation.stop_repeating(token, survey_id, etag)
        return "The survey will not repeat: no further round opens."

    return await _survey_action(request, web, session, survey_id, form, act)


@router.get("/surveys/{survey_id}/questions/{question_id}/texts", response_class=HTMLResponse)
async def texts(request: Request, survey_id: str, question_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    token = await web.token(request) or ""
    survey, _etag = await web.services.participation.survey(survey_id, token=token)
    hub = await hub_for(web, session, survey["hub_id"])
    question = next((q for q in survey["questions"] if q["id"] == question_id), None)
    if question is None:
        raise ServiceProblem("participation", 404, "Not found", f"no question {question_id}")
    page = await web.services.participation.texts(token, survey_id, question_id)
    return await render(
        request,
        web,
        "staff/participation/texts.html",
        title=f"Written answers: {question['text']}",
        hub=hub,
        survey=survey,
        question=question,
        texts=page["items"],
        more=bool(page.get("next_cursor")),
    )

"""Have your say: residents' ideas for their hub, its forum meetings and its surveys (the participation service).

Every page works without JavaScript: forms post and redirect. Residents need no account: proposing,
supporting or registering gives the browser the same pseudonymous resident identity as reporting a
problem (``Web.resident_token``), so the idea or place is theirs. Answering a survey needs more, as
voting does (``routes.budgeting``): one answer per person holds only if the person is the same on
every device, so the survey asks a resident to sign in with their email first
(``routes.email_sign_in``: an emailed link, a verified session), and the service refuses anyone else.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from hub_web import forms
from hub_web import participation_forms as pforms
from hub_web.charts import Series, bar_chart
from hub_web.clients import ServiceProblem
from hub_web.deps import Form, WebDep
from hub_web.forms import Errors, FormData, from_problem
from hub_web.i18n import _
from hub_web.paging import Pager
from hub_web.routes.public import hub_or_404
from hub_web.web import Web

router = APIRouter(include_in_schema=False)

IDEA_STATUS = {
    "open": "Taking support",
    "for_response": "Waiting for the hub's answer",
    "accepted": "Accepted",
    "not_taken_forward": "Not taken forward",
}
ROOM_STATUS = {
    "requested": "The room is being booked",
    "awaiting_approval": "The room is waiting for approval",
    "confirmed": None,  # nothing to say
    "declined": "The room could not be booked: the hub will tell you where the meeting will be",
    "cancelled": "The room booking was cancelled: the hub will tell you where the meeting will be",
}
SORTS = {"support": "Most supported", "newest": "Newest"}
PAGE = 20


def idea_words(status: str) -> str:
    return IDEA_STATUS.get(status, status.replace("_", " ").capitalize())


async def _hub(web: Web, hub_id: str) -> dict[str, Any]:
    return await hub_or_404(web, hub_id)


def is_resident(web: Web, request: Request) -> bool:
    session = web.session(request)
    return session.signed_in and session.role == "resident"


async def render(request: Request, web: Web, template: str, **context: Any) -> HTMLResponse:
    return await web.render(request, template, idea_words=idea_words, **context)


def refusal(problem: ServiceProblem, *statuses: int) -> ServiceProblem:
    """The service's refusal, to show on the page, when its status is one of ``statuses`` (a 409 or
    422 the person can act on); anything else is raised again for the app's error pages."""
    if problem.status not in statuses:
        raise problem
    return problem


# -- the start page -------------------------------------------------------------------------------


@router.get("/have-your-say", response_class=HTMLResponse)
async def have_your_say(
    request: Request, web: WebDep, hub_id: Annotated[str | None, Query(max_length=64)] = None
) -> Response:
    hubs = await web.hubs()
    if hub_id:
        return web.redirect(f"/hubs/{hub_id}/have-your-say")
    return await render(request, web, "participate/start.html", title="Have your say", hubs=hubs)


@router.get("/hubs/{hub_id}/have-your-say", response_class=HTMLResponse)
async def hub_start(request: Request, hub_id: str, web: WebDep) -> HTMLResponse:
    hub = await _hub(web, hub_id)
    p = web.services.participation
    ideas, meetings, surveys, rounds = await asyncio.gather(
        p.ideas(hub_id, "support", limit=3),
        p.meetings(hub_id, True, limit=3),
        p.surveys(hub_id, "open", limit=5),
        p.pb_rounds(hub_id, limit=3),
    )
    return await render(
        request,
        web,
        "participate/hub.html",
        title=f"Have your say in {hub['name']}",
        hub=hub,
        ideas=ideas["items"],
        meetings=meetings["items"],
        surveys=surveys,
        rounds=[r for r in rounds if r["phase"] != "closed"],
        pounds=pforms.pounds,
        phase_words=pforms.PB_PHASES,
    )


# -- the citizens' panel ----------------------------------------------------------------------------


@router.get("/hubs/{hub_id}/panel", response_class=HTMLResponse)
async def panel(request: Request, hub_id: str, web: WebDep) -> HTMLResponse:
    return await panel_page(request, web, hub_id)


async def panel_page(
    request: Request,
    web: Web,
    hub_id: str,
    *,
    errors: Errors | None = None,
    form: FormData | None = None,
    status: int = 200,
) -> HTMLResponse:
    hub = await _hub(web, hub_id)
    member = False
    if is_resident(web, request):
        member = await web.services.participation.on_panel(await web.token(request) or "", hub_id)
    return await render(
        request,
        web,
        "participate/panel.html",
        status=status,
        title=f"The citizens' panel of {hub['name']}",
        hub=hub,
        member=member,
        errors=errors,
        form=form,
    )


@router.post("/hubs/{hub_id}/panel/join", response_class=HTMLResponse)
async def join_panel(request: Request, hub_id: str, web: WebDep, form: Form) -> Response:
    email, errors = forms.check_email(form, missing="Enter the email address to ask you at")
    if errors:
        return await panel_page(request, web, hub_id, errors=errors, form=form, status=400)
    contact: dict[str, Any] = {"email": email, **({"name": form.one("name")[:200]} if form.one("name") else {})}
    token = await web.resident_token(request)
    await web.services.participation.join_panel(token, hub_id, contact)
    web.session(request).set_flash("You are on the citizens' panel: we will email you when there is a survey for it.")
    return web.redirect(f"/hubs/{hub_id}/panel")


@router.post("/hubs/{hub_id}/panel/leave", response_class=HTMLResponse)
async def leave_panel(request: Request, hub_id: str, web: WebDep, form: Form) -> Response:
    if is_resident(web, request):
        await web.services.participation.leave_panel(await web.token(request) or "", hub_id)
        web.session(request).set_flash("You have left the citizens' panel: we will not ask you again.")
    return web.redirect(f"/hubs/{hub_id}/panel")


# -- ideas ----------------------------------------------------------------------------------------


@router.get("/hubs/{hub_id}/ideas", response_class=HTMLResponse)
async def ideas(
    request: Request,
    hub_id: str,
    web: WebDep,
    sort: Annotated[str, Query(max_length=10)] = "support",
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    trail: Annotated[str | None, Query(max_length=20_000)] = None,
) -> HTMLResponse:
    hub = await _hub(web, hub_id)
    sort = sort if sort in SORTS else "support"
    pager = Pager.of(cursor, trail)
    page, settings = await asyncio.gather(
        web.services.participation.ideas(hub_id, sort, limit=PAGE, cursor=pager.cursor),
        web.services.participation.idea_settings(hub_id),
    )
    path, filters = f"/hubs/{hub_id}/ideas", [("sort", sort)]
    return await render(
        request,
        web,
        "participate/ideas.html",
        title=f"Ideas for {hub['name']}",
        hub=hub,
        ideas=page["items"],
        sort=sort,
        sorts=SORTS,
        threshold=settings["support_threshold"],
        pager=pager,
        next_href=pager.next_href(path, filters, page.get("next_cursor")),
        previous_href=pager.previous_href(path, filters),
    )


async def idea_page(
    request: Request,
    web: Web,
    idea_id: str,
    *,
    errors: Errors | None = None,
    form: FormData | None = None,
    status: int = 200,
) -> HTMLResponse:
    idea, _etag = await web.services.participation.idea(idea_id)
    hub = await _hub(web, idea["hub_id"])
    title = idea["title"] or "A hidden idea"
    return await render(
        request,
        web,
        "participate/idea.html",
        status=status,
        title=title,
        hub=hub,
        idea=idea,
        errors=errors,
        form=form,
        needed=max(0, idea["support_threshold"] - idea["support_count"]),
        comment_key=uuid.uuid4().hex,  # a councillor's comment form: one comment per page shown
    )


@router.get("/ideas/{idea_id}", response_class=HTMLResponse)
async def idea(request: Request, idea_id: str, web: WebDep) -> HTMLResponse:
    return await idea_page(request, web, idea_id)


@router.post("/ideas/{idea_id}/support", response_class=HTMLResponse)
async def support(request: Request, idea_id: str, web: WebDep, form: Form) -> Response:
    token = await web.resident_token(request)
    try:
        outcome = await web.services.participation.support(
            token, idea_id, form.one("follow") == "yes", form.one("idempotency_key") or uuid.uuid4().hex
        )
    except ServiceProblem as problem:
        if problem.status not in (409, 422):
            raise
        errors = Errors(general=[problem.detail[:1].upper() + problem.detail[1:]])
        return await idea_page(request, web, idea_id, errors=errors, status=problem.status)
    session = web.session(request)
    count = outcome["support_count"]
    supporters = f"{count} {'supporter' if count == 1 else 'supporters'}"
    if not outcome["counted"]:
        session.set_flash("You support this idea already: each person's support counts once.")
    elif outcome["status"] == "for_response":
        session.set_flash(
            f"Thank you: your support is counted. The idea has {supporters}, enough for the hub to answer it."
        )
    else:
        session.set_flash(f"Thank you: your support is counted. The idea has {supporters}.")
    return web.redirect(f"/ideas/{idea_id}")


@router.post("/ideas/{idea_id}/follow", response_class=HTMLResponse)
async def follow(request: Request, idea_id: str, web: WebDep, form: Form) -> Response:
    errors = Errors()
    contact = pforms._optional_email(form, errors)
    if errors:
        return await idea_page(request, web, idea_id, errors=errors, form=form, status=400)
    token = await web.resident_token(request)
    await web.services.participation.follow(token, idea_id, contact)
    web.session(request).set_flash("You are following this idea: you will hear its answer and progress.")
    return web.redirect(f"/ideas/{idea_id}")


@router.post("/ideas/{idea_id}/flag", response_class=HTMLResponse)
async def flag(request: Request, idea_id: str, web: WebDep, form: Form) -> Response:
    reason, errors = pforms.check_reason(
        form, "reason", low=3, high=500, missing="Say what is wrong with the idea, for the moderators"
    )
    if errors:
        return await idea_page(request, web, idea_id, errors=errors, form=form, status=400)
    token = await web.resident_token(request)
    await web.services.participation.flag(token, idea_id, reason, form.one("idempotency_key") or uuid.uuid4().hex)
    web.session(request).set_flash("Thank you: the hub's moderators will look at this idea.")
    return web.redirect(f"/ideas/{idea_id}")


async def propose_page(
    request: Request,
    web: Web,
    hub: dict[str, Any],
    form: FormData,
    errors: Errors | None = None,
    similar: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    settings = await web.services.participation.idea_settings(hub["id"])
    return await render(
        request,
        web,
        "participate/propose.html",
        status=status,
        title="Propose an idea",
        hub=hub,
        form=form,
        errors=errors,
        similar=similar or [],
        threshold=settings["support_threshold"],
    )


@router.get("/hubs/{hub_id}/ideas/new", response_class=HTMLResponse)
async def propose_form(request: Request, hub_id: str, web: WebDep) -> HTMLResponse:
    hub = await _hub(web, hub_id)
    return await propose_page(request, web, hub, FormData([("idempotency_key", uuid.uuid4().hex)]))


@router.post("/hubs/{hub_id}/ideas/new", response_class=HTMLResponse)
async def propose(request: Request, hub_id: str, web: WebDep, form: Form) -> Response:
    """First send: the hub's similar open ideas, if any, are shown so the resident can support one
    instead; "Propose my idea" (``checked``) then sends it."""
    hub = await _hub(web, hub_id)
    body, errors = pforms.check_idea(form, hub_id)
    if errors:
        return await propose_page(request, web, hub, form, errors, status=400)
    p = web.services.participation
    if form.one("checked") != "yes":
        similar = await p.similar(hub_id, body["title"], body["description"])
        if similar:
            kept = FormData([*form.without("checked"), ("checked", "yes")])
            return await propose_page(request, web, hub, kept, similar=similar)
    token = await web.resident_token(request)
    try:
        proposal = await p.propose(token, body, form.one("idempotency_key") or uuid.uuid4().hex)
    except ServiceProblem as problem:
        if problem.status not in (409, 422):
            raise
        return await propose_page(request, web, hub, form, from_problem(problem, pforms.IDEA_FIELDS), status=400)
    web.session(request).set_flash("Your idea has been published. Share its page so your neighbours can support it.")
    return web.redirect(f"/ideas/{proposal['idea']['id']}")


# -- forum meetings -------------------------------------------------------------------------------


@router.get("/hubs/{hub_id}/meetings", response_class=HTMLResponse)
async def meetings(request: Request, hub_id: str, web: WebDep) -> HTMLResponse:
    hub = await _hub(web, hub_id)
    upcoming, past = await asyncio.gather(
        web.services.participation.meetings(hub_id, True, limit=20),
        web.services.participation.meetings(hub_id, False, limit=10),
    )
    return await render(
        request,
        web,
        "participate/meetings.html",
        title=f"Resident forums in {hub['name']}",
        hub=hub,
        upcoming=upcoming["items"],
        past=past["items"],
    )


@router.get("/hubs/{hub_id}/meetings.ics")
async def calendar(hub_id: str, web: WebDep) -> Response:
    """The hub's forums as iCalendar, passed on from the participation service (no personal data)."""
    content = await web.services.participation.calendar(hub_id)
    return Response(
        content,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{hub_id}-forums.ics"'},
    )


async def meeting_page(
    request: Request,
    web: Web,
    meeting_id: str,
    *,
    errors: Errors | None = None,
    form: FormData | None = None,
    status: int = 200,
) -> HTMLResponse:
    meeting, _etag = await web.services.participation.meeting(meeting_id)
    hub = await _hub(web, meeting["hub_id"])
    mine = None
    if is_resident(web, request):
        token = await web.token(request)
        mine = await web.services.participation.my_registration(token or "", meeting_id)
    if mine and mine["status"] == "cancelled":
        mine = None
    return await render(
        request,
        web,
        "participate/meeting.html",
        status=status,
        title=meeting["title"],
        hub=hub,
        meeting=meeting,
        mine=mine,
        room_note=ROOM_STATUS.get(meeting["place"].get("room_status") or "confirmed"),
        errors=errors,
        form=form or FormData([("idempotency_key", uuid.uuid4().hex)]),
    )


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
async def meeting(request: Request, meeting_id: str, web: WebDep) -> HTMLResponse:
    return await meeting_page(request, web, meeting_id)


@router.post("/meetings/{meeting_id}/register", response_class=HTMLResponse)
async def register(request: Request, meeting_id: str, web: WebDep, form: Form) -> Response:
    body, errors = pforms.check_registration(form)
    if errors:
        return await meeting_page(request, web, meeting_id, errors=errors, form=form, status=400)
    token = await web.resident_token(request)
    try:
        place = await web.services.participation.register(
            token, meeting_id, body, form.one("idempotency_key") or uuid.uuid4().hex
        )
    except ServiceProblem as problem:
        if problem.status not in (409, 422):
            raise
        errors = from_problem(problem, {"access_needs": "access_needs", "contact.email": "email"})
        return await meeting_page(request, web, meeting_id, errors=errors, form=form, status=problem.status)
    session = web.session(request)
    if place["status"] == "waitlisted":
        session.set_flash(
            f"The meeting is full, so you are on the waiting list: number {place['waitlist_position']}. "
            "If a place comes free it is yours, and we will tell you."
        )
    elif not place["new"]:
        session.set_flash("You already have a place at this meeting.")
    else:
        session.set_flash("You are registered: your place at the meeting is confirmed.")
    return web.redirect(f"/meetings/{meeting_id}")


@router.post("/meetings/{meeting_id}/cancel-registration", response_class=HTMLResponse)
async def cancel_registration(request: Request, meeting_id: str, web: WebDep, form: Form) -> Response:
    if not is_resident(web, request):
        return web.redirect(f"/meetings/{meeting_id}")
    token = await web.token(request) or ""
    try:
        await web.services.participation.cancel_registration(token, meeting_id)
    except ServiceProblem as problem:
        if problem.status not in (404, 409):
            raise
        return await meeting_page(
            request, web, meeting_id, errors=Errors(general=[problem.detail]), status=problem.status
        )
    web.session(request).set_flash("You have given up your place. Thank you for letting the hub know.")
    return web.redirect(f"/meetings/{meeting_id}")


# -- surveys --------------------------------------------------------------------------------------


@router.get("/hubs/{hub_id}/surveys", response_class=HTMLResponse)
async def surveys(request: Request, hub_id: str, web: WebDep) -> HTMLResponse:
    hub = await _hub(web, hub_id)
    open_, closed = await asyncio.gather(
        web.services.participation.surveys(hub_id, "open"), web.services.participation.surveys(hub_id, "closed")
    )
    return await render(
        request, web, "participate/surveys.html", title=f"Surveys in {hub['name']}", hub=hub, open=open_, closed=closed
    )


async def survey_page(
    request: Request,
    web: Web,
    survey: dict[str, Any],
    *,
    errors: Errors | None = None,
    form: FormData | None = None,
    status: int = 200,
) -> HTMLResponse:
    hub = await _hub(web, survey["hub_id"])
    answered = False
    verified = web.session(request).is_verified_resident
    if survey["status"] == "open" and verified and is_resident(web, request):
        answered = await web.services.participation.answered(await web.token(request) or "", survey["id"])
    return await render(
        request,
        web,
        "participate/survey.html",
        status=status,
        title=survey["title"],
        hub=hub,
        survey=survey,
        answered=answered,
        verified=verified,
        errors=errors,
        form=form or FormData([("idempotency_key", uuid.uuid4().hex)]),
        question_field=pforms.question_field,
        rank_field=pforms.rank_field,
    )


@router.get("/surveys/{survey_id}", response_class=HTMLResponse)
async def survey(request: Request, survey_id: str, web: WebDep) -> HTMLResponse:
    found, _etag = await web.services.participation.survey(survey_id)
    return await survey_page(request, web, found)


@router.post("/surveys/{survey_id}", response_class=HTMLResponse)
async def answer(request: Request, survey_id: str, web: WebDep, form: Form) -> Response:
    found, _etag = await web.services.participation.survey(survey_id)
    if not web.session(request).is_verified_resident:
        # A browser's own resident is new whenever its cookies go: only an email sign-in answers once.
        refused = Errors(general=[_("To answer, sign in with your email: we email you a link.")])
        return await survey_page(request, web, found, errors=refused, form=form, status=403)
    body, errors = pforms.check_answers(form, found)
    if errors:
        return await survey_page(request, web, found, errors=errors, form=form, status=400)
    token = await web.token(request)
    assert token is not None  # a verified session is a signed-in one
    try:
        await web.services.participation.answer(token, survey_id, body, form.one("idempotency_key") or uuid.uuid4().hex)
    except ServiceProblem as problem:
        if problem.status == 409 and found["status"] == "open":
            web.session(request).set_flash("You have answered this survey already: each person answers once.")
            return web.redirect(f"/surveys/{survey_id}/thank-you")
        if problem.status not in (409, 422):
            raise
        return await survey_page(request, web, found, errors=Errors(general=[problem.detail]), form=form, status=400)
    return web.redirect(f"/surveys/{survey_id}/thank-you")


@router.get("/surveys/{survey_id}/thank-you", response_class=HTMLResponse)
async def thank_you(request: Request, survey_id: str, web: WebDep) -> HTMLResponse:
    found, _etag = await web.services.participation.survey(survey_id)
    hub = await _hub(web, found["hub_id"])
    return await render(
        request, web, "participate/survey_thanks.html", title="Thank you for your answers", hub=hub, survey=found
    )


def result_charts(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each question's results with its chart (an accessible SVG, ``hub_web.charts``) and table rows."""
    shown = []
    for n, q in enumerate(results["questions"], start=1):
        item: dict[str, Any] = {"q": q, "rows": [], "chart": None}
        if q["kind"] in ("single", "multiple", "scale"):
            rows = list(q["counts"].items())
            item["rows"] = rows
            what = "Answers" if q["kind"] != "scale" else "Answers at each point"
            item["chart"] = bar_chart(
                f"results-{n}", q["text"], [label for label, _ in rows], [Series(what, [v for _, v in rows])]
            )
        elif q["kind"] == "ranking":
            rows = sorted(q["average_place"].items(), key=lambda r: r[1])
            item["rows"] = rows
            item["chart"] = bar_chart(
                f"results-{n}",
                q["text"],
                [label for label, _ in rows],
                [Series("Average place", [v for _, v in rows])],
                note="Average place given to each option: a lower bar was ranked higher.",
            )
        shown.append(item)
    return shown


@router.get("/surveys/{survey_id}/results", response_class=HTMLResponse)
async def results(request: Request, survey_id: str, web: WebDep) -> HTMLResponse:
    found, _etag = await web.services.participation.survey(survey_id)
    hub = await _hub(web, found["hub_id"])
    if found["status"] != "closed":
        return await render(
            request, web, "participate/results.html", title=f"Results: {found['title']}", hub=hub, survey=found,
            results=None, shown=[],
        )  # fmt: skip
    answers = await web.services.participation.results(survey_id)
    return await render(
        request,
        web,
        "participate/results.html",
        title=f"Results: {found['title']}",
        hub=hub,
        survey=found,
        results=answers,
        shown=result_charts(answers),
    )

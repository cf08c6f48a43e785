"""The staff console's participatory budgeting section for one hub: start a round (a draft), change its
budget, voting method and window, move it on phase by phase, review the proposals (eligible at a
cost, or not with a public reason), close voting and read the results, recount, and post progress on
the funded projects until each is delivered.

Only the hub's staff (or an operator) reach these pages (``require_hub``); every call carries their
own token, so the participation service makes the same checks again, and its refusals (409, 412,
422) are shown on the round's page.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hub_web import participation_forms as pforms
from hub_web.clients import ServiceProblem
from hub_web.deps import Form, Staff, WebDep, require_hub
from hub_web.forms import Errors, FormData, from_problem
from hub_web.routes.budgeting import results_chart, words
from hub_web.routes.participate import refusal
from hub_web.routes.participation_staff import hub_for
from hub_web.session import Session
from hub_web.web import Web

router = APIRouter(prefix="/staff", include_in_schema=False)

NEXT_PHASE = {"draft": "proposals", "proposals": "review", "review": "voting"}
ADVANCE_WORDS = {
    "proposals": "Open the round for proposals",
    "review": "Stop taking proposals and finish the review",
    "voting": "Open voting",
}
ADVANCED = {
    "proposals": "The round takes proposals now: residents find it on the hub's budgeting page.",
    "review": "The round no longer takes proposals. Review each one, then open voting.",
    "voting": "Voting is open: residents can vote on the eligible projects.",
}


def _round_path(round_id: str) -> str:
    return f"/staff/budgeting/{round_id}"


# -- the hub's rounds, and a new one --------------------------------------------------------------


@router.get("/hubs/{hub_id}/participation/budgeting", response_class=HTMLResponse)
async def rounds(request: Request, hub_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    hub = await hub_for(web, session, hub_id)
    token = await web.token(request) or ""
    found = await web.services.participation.pb_rounds(hub_id, token=token)
    return await web.render(
        request,
        "staff/participation/budgeting/rounds.html",
        title=f"Budgeting: {hub['name']}",
        hub=hub,
        rounds=found,
        **words(),
    )


async def new_page(
    request: Request, web: Web, hub: dict[str, Any], form: FormData, errors: Errors | None = None, status: int = 200
) -> HTMLResponse:
    return await web.render(
        request,
        "staff/participation/budgeting/new.html",
        status=status,
        title="Start a budgeting round",
        hub=hub,
        form=form,
        errors=errors,
        methods=pforms.PB_METHODS,
        **words(),
    )


@router.get("/hubs/{hub_id}/participation/budgeting/new", response_class=HTMLResponse)
async def new_form(request: Request, hub_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    hub = await hub_for(web, session, hub_id)
    return await new_page(request, web, hub, FormData([("idempotency_key", uuid.uuid4().hex)]))


@router.post("/hubs/{hub_id}/participation/budgeting/new", response_class=HTMLResponse)
async def create(request: Request, hub_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    hub = await hub_for(web, session, hub_id)
    body, errors = pforms.check_round(form, datetime.now(UTC))
    if errors:
        return await new_page(request, web, hub, form, errors, status=400)
    token = await web.token(request) or ""
    try:
        created = await web.services.participation.create_pb_round(
            token, {"hub_id": hub_id, **body}, form.one("idempotency_key") or uuid.uuid4().hex
        )
    except ServiceProblem as problem:
        refused = refusal(problem, 409, 422)
        return await new_page(request, web, hub, form, from_problem(refused, pforms.ROUND_FIELDS), status=400)
    session.set_flash("The round is saved as a draft: residents do not see it yet. Open it for proposals when ready.")
    return web.redirect(_round_path(created["id"]))


# -- a round --------------------------------------------------------------------------------------


async def round_page(
    request: Request,
    web: Web,
    session: Session,
    round_id: str,
    *,
    errors: Errors | None = None,
    form: FormData | None = None,
    recount: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    token = await web.token(request) or ""
    p = web.services.participation
    (budget_round, _etag), proposals = await asyncio.gather(
        p.pb_round(round_id, token=token), p.pb_proposals(round_id, token=token)
    )
    hub = await hub_for(web, session, budget_round["hub_id"])
    counted = await p.pb_results(round_id) if budget_round["phase"] == "closed" else None
    phase = budget_round["phase"]
    following = NEXT_PHASE.get(phase)
    return await web.render(
        request,
        "staff/participation/budgeting/round.html",
        status=status,
        title=f"Budgeting round: {budget_round['title']}",
        hub=hub,
        round=budget_round,
        proposals=proposals,
        editable=phase in ("draft", "proposals", "review"),
        reviewable=phase in ("proposals", "review"),
        following=following,
        advance_words=ADVANCE_WORDS.get(following or "", ""),
        unreviewed=sum(x["status"] == "submitted" for x in proposals),
        results=counted,
        chart=results_chart(counted) if counted and counted["projects"] else None,
        recount=recount,
        methods=pforms.PB_METHODS,
        review_field=pforms.review_field,
        new_key=lambda: uuid.uuid4().hex,
        errors=errors,
        # the round's settings for the edit form, under whatever was just sent
        form=FormData([*(form.items() if form else []), *pforms.round_form(budget_round).items()]),
        **words(),
    )


@router.get("/budgeting/{round_id}", response_class=HTMLResponse)
async def round_(request: Request, round_id: str, web: WebDep, session: Staff) -> HTMLResponse:
    return await round_page(request, web, session, round_id)


Act = Callable[[str, str | None], Awaitable[str]]


async def _round_action(
    request: Request, web: Web, session: Session, round_id: str, form: FormData, act: Act, fields: dict[str, str]
) -> Response:
    """Check the hub, run ``act(token, etag)``; a 409/412/422 shows the round's page with the reason."""
    token = await web.token(request) or ""
    budget_round, etag = await web.services.participation.pb_round(round_id, token=token)
    require_hub(session, budget_round["hub_id"])
    try:
        message = await act(token, etag)
    except ServiceProblem as problem:
        refused = refusal(problem, 409, 412, 422)
        errors = from_problem(refused, fields)
        return await round_page(request, web, session, round_id, errors=errors, form=form, status=refused.status)
    session.set_flash(message)
    return web.redirect(_round_path(round_id))


@router.post("/budgeting/{round_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, round_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    changes, errors = pforms.check_round(form, datetime.now(UTC))
    if errors:
        return await round_page(request, web, session, round_id, errors=errors, form=form, status=400)

    async def act(token: str, etag: str | None) -> str:
        await web.services.participation.edit_pb_round(token, round_id, changes, etag)
        return "The round's settings are saved."

    return await _round_action(request, web, session, round_id, form, act, pforms.ROUND_FIELDS)


@router.post("/budgeting/{round_id}/advance", response_class=HTMLResponse)
async def advance(request: Request, round_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    to = form.one("to")
    if to not in ADVANCED:
        return web.redirect(_round_path(round_id))

    async def act(token: str, etag: str | None) -> str:
        await web.services.participation.advance_pb_round(token, round_id, to, etag)
        return ADVANCED[to]

    return await _round_action(request, web, session, round_id, FormData(), act, {})


@router.post("/budgeting/{round_id}/close", response_class=HTMLResponse)
async def close(request: Request, round_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    async def act(token: str, etag: str | None) -> str:
        await web.services.participation.close_pb_round(token, round_id, etag)
        return "Voting is closed: the ballots are counted and the results are published."

    return await _round_action(request, web, session, round_id, FormData(), act, {})


@router.post("/budgeting/{round_id}/recount", response_class=HTMLResponse)
async def recount(request: Request, round_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    token = await web.token(request) or ""
    budget_round, _etag = await web.services.participation.pb_round(round_id, token=token)
    require_hub(session, budget_round["hub_id"])
    try:
        again = await web.services.participation.pb_recount(token, round_id)
    except ServiceProblem as problem:
        refused = refusal(problem, 409, 422)
        return await round_page(
            request, web, session, round_id, errors=from_problem(refused, {}), status=refused.status
        )
    return await round_page(request, web, session, round_id, recount=again)


# -- proposals: review, and a funded project's progress -------------------------------------------


async def _proposal_action(
    request: Request, web: Web, session: Session, proposal_id: str, form: FormData, act: Act, fields: dict[str, str]
) -> Response:
    """As ``_round_action``, for one of the round's proposals (its own ETag); back to the round's page."""
    token = await web.token(request) or ""
    proposal, etag = await web.services.participation.pb_proposal(proposal_id, token=token)
    require_hub(session, proposal["hub_id"])
    round_id = proposal["round_id"]
    try:
        message = await act(token, etag)
    except ServiceProblem as problem:
        refused = refusal(problem, 409, 412, 422)
        errors = from_problem(refused, fields)
        return await round_page(request, web, session, round_id, errors=errors, form=form, status=refused.status)
    session.set_flash(message)
    return web.redirect(f"{_round_path(round_id)}#proposal-{proposal_id}")


@router.post("/budgeting/proposals/{proposal_id}/review", response_class=HTMLResponse)
async def review(request: Request, proposal_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    body, errors = pforms.check_review(form, proposal_id)
    if errors:
        proposal, _etag = await web.services.participation.pb_proposal(proposal_id, token=await web.token(request))
        require_hub(session, proposal["hub_id"])
        return await round_page(request, web, session, proposal["round_id"], errors=errors, form=form, status=400)

    async def act(token: str, etag: str | None) -> str:
        await web.services.participation.review_pb_proposal(token, proposal_id, body, etag)
        return "The review is saved and shows on the round's public page."

    fields = {name: pforms.review_field(proposal_id, name) for name in ("final_cost", "reason")}
    return await _proposal_action(request, web, session, proposal_id, form, act, fields)


@router.post("/budgeting/proposals/{proposal_id}/progress", response_class=HTMLResponse)
async def progress(request: Request, proposal_id: str, web: WebDep, session: Staff, form: Form) -> Response:
    field = pforms.review_field(proposal_id, "note")
    note, errors = pforms.check_reason(form, field, low=3, high=4000, missing="Write the progress update")
    if errors:
        proposal, _etag = await web.services.participation.pb_proposal(proposal_id, token=await web.token(request))
        require_hub(session, proposal["hub_id"])
        return await round_page(request, web, session, proposal["round_id"], errors=errors, form=form, status=400)
    done = form.one(pforms.review_field(proposal_id, "done")) == "yes"

    async def act(token: str, etag: str | None) -> str:
        key = form.one("idempotency_key") or uuid.uuid4().hex
        await web.services.participation.pb_progress(token, proposal_id, {"note": note, "done": done}, etag, key)
        return "The project is marked delivered." if done else "The progress update is published."

    return await _proposal_action(request, web, session, proposal_id, form, act, {"note": field})

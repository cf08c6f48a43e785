"""Have your say: participatory budgeting for residents (the participation service's ``/v1/pb`` API).

A hub puts a budget to its residents: they propose costed projects, the hub reviews them, residents
vote (choosing projects within the budget, or approving any number), and the results and the funded
projects' progress are published. Everything works without JavaScript; proposing gives the browser
the same pseudonymous resident identity as supporting an idea. Voting needs more: one ballot per
person holds only if the person is the same on every device, so the ballot asks a resident to sign
in with their email first (``routes.email_sign_in``: an emailed link, a verified session), and the
ballot is theirs to replace while voting is open. The service makes every decision (one ballot per
person, that the voter proved an address, the budget, the window); its refusals are shown on the page.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hub_web import participation_forms as pforms
from hub_web.charts import Series, bar_chart
from hub_web.clients import ServiceProblem
from hub_web.deps import Form, WebDep
from hub_web.forms import Errors, FormData, from_problem
from hub_web.i18n import _
from hub_web.routes.participate import is_resident, refusal
from hub_web.routes.public import hub_or_404
from hub_web.web import Web, when

router = APIRouter(include_in_schema=False)

PROPOSAL_STATUS = {
    "submitted": "Waiting for the hub's review",
    "eligible": "On the ballot",
    "ineligible": "Not eligible",
    "funded": "Funded",
    "not_funded": "Not funded",
    "delivered": "Delivered",
}
ON_BALLOT = ("eligible", "funded", "not_funded", "delivered")
METHODS = {
    "allocation": "Choose projects whose costs together fit the budget",
    "approval": "Approve as many projects as you like",
}


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def taking_proposals(budget_round: dict[str, Any], now: datetime) -> bool:
    closes = _moment(budget_round.get("proposals_close_at"))
    return budget_round["phase"] == "proposals" and (closes is None or now < closes)


def voting_open(budget_round: dict[str, Any], now: datetime) -> bool:
    opens, closes = _moment(budget_round.get("voting_opens_at")), _moment(budget_round.get("voting_closes_at"))
    return budget_round["phase"] == "voting" and opens is not None and closes is not None and opens <= now < closes


def words(**extra: Any) -> dict[str, Any]:
    """What every budgeting page (resident or staff) renders with."""
    return {
        "pounds": pforms.pounds,
        "phase_words": pforms.PB_PHASES,
        "proposal_words": PROPOSAL_STATUS,
        "method_words": METHODS,
        **extra,
    }


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def results_chart(results: dict[str, Any]) -> Any:
    """Votes per project as an accessible bar chart: funded projects solid, the others hatched."""
    projects = results["projects"]
    limit = max(6, int(620 / max(1, len(projects)) / 7))
    labels = [_short(p["title"], limit) for p in projects]
    funded = Series("Votes: funded", [p["votes"] if p["funded"] else None for p in projects])
    not_funded = Series("Votes: not funded", [None if p["funded"] else p["votes"] for p in projects])
    return bar_chart(
        "pb-results",
        "Votes for each project",
        labels,
        [funded, not_funded],
        note="Projects in the order they were chosen: the most votes first, each funded if its cost fit what was left.",
    )


# -- a hub's rounds -------------------------------------------------------------------------------


@router.get("/hubs/{hub_id}/budgeting", response_class=HTMLResponse)
async def rounds(request: Request, hub_id: str, web: WebDep) -> HTMLResponse:
    hub = await hub_or_404(web, hub_id)
    found = await web.services.participation.pb_rounds(hub_id)
    return await web.render(
        request,
        "participate/budgeting/rounds.html",
        title=f"Budgeting in {hub['name']}",
        hub=hub,
        rounds=found,
        **words(),
    )


# -- a round: its proposals, and the ballot while voting is open ----------------------------------


async def round_page(
    request: Request,
    web: Web,
    round_id: str,
    *,
    errors: Errors | None = None,
    form: FormData | None = None,
    status: int = 200,
) -> HTMLResponse:
    p = web.services.participation
    (budget_round, _etag), proposals = await asyncio.gather(p.pb_round(round_id), p.pb_proposals(round_id))
    hub = await hub_or_404(web, budget_round["hub_id"])
    now = datetime.now(UTC)
    open_ = voting_open(budget_round, now)
    mine = None
    verified = web.session(request).is_verified_resident
    if open_ and verified and is_resident(web, request):
        mine = await p.my_ballot(await web.token(request) or "", round_id)
    on_ballot = [x for x in proposals if x["status"] in ON_BALLOT]
    chosen = form.all("choices") if form is not None else (mine or [])
    return await web.render(
        request,
        "participate/budgeting/round.html",
        status=status,
        title=budget_round["title"],
        hub=hub,
        round=budget_round,
        proposals=proposals,
        on_ballot=on_ballot,
        voting_open=open_,
        taking_proposals=taking_proposals(budget_round, now),
        staff_session=web.session(request).is_staff,
        verified=verified,
        mine=mine,
        mine_titles=[x["title"] for x in on_ballot if x["id"] in (mine or [])],
        mine_total=sum(x["final_cost"] or 0 for x in on_ballot if x["id"] in (mine or [])),
        chosen=chosen,
        errors=errors,
        **words(),
    )


@router.get("/budgeting/{round_id}", response_class=HTMLResponse)
async def round_(request: Request, round_id: str, web: WebDep) -> HTMLResponse:
    return await round_page(request, web, round_id)


def _ballot_refused(
    problem: ServiceProblem, budget_round: dict[str, Any], costs: dict[str, int], chosen: list[str]
) -> Errors:
    """The service's refusal of a ballot in plain words: over the budget (in pounds, with the total), the
    most approvals, or voting not open; anything else as the service said it."""
    total = sum(costs.get(c, 0) for c in chosen)
    errors = Errors()
    if problem.status == 409:
        errors.general.append("Voting is not open in this round, so your vote could not be counted.")
    elif budget_round["method"] == "allocation" and total > budget_round["budget"]:
        errors.add(
            "choices",
            f"The projects you chose cost {pforms.pounds(total)} together, more than the budget of "
            f"{pforms.pounds(budget_round['budget'])}: untick one or more",
        )
    elif budget_round["method"] == "approval" and len(chosen) > (most := budget_round.get("max_approvals") or 100):
        errors.add("choices", f"Approve at most {most} {'project' if most == 1 else 'projects'}: untick one or more")
    else:
        errors = from_problem(problem, {"choices": "choices"})
    return errors


@router.post("/budgeting/{round_id}/ballot", response_class=HTMLResponse)
async def vote(request: Request, round_id: str, web: WebDep, form: Form) -> Response:
    p = web.services.participation
    (budget_round, _etag), proposals = await asyncio.gather(p.pb_round(round_id), p.pb_proposals(round_id))
    on_ballot = [x for x in proposals if x["status"] == "eligible"]
    chosen, errors = pforms.ballot_choices(form, on_ballot)
    if errors:
        return await round_page(request, web, round_id, errors=errors, form=form, status=400)
    if web.session(request).is_staff:
        errors.general.append("Staff cannot vote while signed in to the console: residents vote.")
        return await round_page(request, web, round_id, errors=errors, form=form, status=403)
    if not web.session(request).is_verified_resident:
        # A browser's own resident is new whenever its cookies go: only an email sign-in is one voter.
        errors.general.append(_("To vote, sign in with your email: we email you a link."))
        return await round_page(request, web, round_id, errors=errors, form=form, status=403)
    token = await web.token(request)
    assert token is not None  # a verified session is a signed-in one
    try:
        cast = await p.cast_ballot(token, round_id, chosen)
    except ServiceProblem as problem:
        refused = refusal(problem, 409, 422)
        costs = {x["id"]: x["final_cost"] or 0 for x in on_ballot}
        errors = _ballot_refused(refused, budget_round, costs, chosen)
        return await round_page(request, web, round_id, errors=errors, form=form, status=refused.status)
    closes = budget_round.get("voting_closes_at")
    later = f" You can change it until voting closes on {when(closes)}." if closes else ""
    if cast["replaced"]:
        web.session(request).set_flash("Your new choices replace your earlier vote: only this one counts." + later)
    else:
        web.session(request).set_flash("Thank you: your vote is counted." + later)
    return web.redirect(f"/budgeting/{round_id}#ballot")


# -- proposing a project --------------------------------------------------------------------------


async def propose_page(
    request: Request,
    web: Web,
    budget_round: dict[str, Any],
    form: FormData,
    errors: Errors | None = None,
    status: int = 200,
) -> HTMLResponse:
    hub = await hub_or_404(web, budget_round["hub_id"])
    return await web.render(
        request,
        "participate/budgeting/propose.html",
        status=status,
        title="Propose a project",
        hub=hub,
        round=budget_round,
        open=taking_proposals(budget_round, datetime.now(UTC)),
        staff_session=web.session(request).is_staff,
        form=form,
        errors=errors,
        **words(),
    )


@router.get("/budgeting/{round_id}/propose", response_class=HTMLResponse)
async def propose_form(request: Request, round_id: str, web: WebDep) -> HTMLResponse:
    budget_round, _etag = await web.services.participation.pb_round(round_id)
    return await propose_page(request, web, budget_round, FormData([("idempotency_key", uuid.uuid4().hex)]))


@router.post("/budgeting/{round_id}/propose", response_class=HTMLResponse)
async def propose(request: Request, round_id: str, web: WebDep, form: Form) -> Response:
    budget_round, _etag = await web.services.participation.pb_round(round_id)
    body, errors = pforms.check_pb_proposal(form)
    if errors:
        return await propose_page(request, web, budget_round, form, errors, status=400)
    if web.session(request).is_staff:
        errors.general.append("Staff cannot propose projects while signed in to the console: residents propose.")
        return await propose_page(request, web, budget_round, form, errors, status=403)
    token = await web.resident_token(request)
    try:
        await web.services.participation.submit_pb_proposal(
            token, round_id, body, form.one("idempotency_key") or uuid.uuid4().hex
        )
    except ServiceProblem as problem:
        refused = refusal(problem, 409, 422)
        if refused.status == 409:
            errors = Errors(general=["This round is not taking proposals now, so your project could not be sent."])
        else:
            errors = from_problem(refused, pforms.PB_PROPOSAL_FIELDS)
        return await propose_page(request, web, budget_round, form, errors, status=refused.status)
    web.session(request).set_flash(
        "Your project is sent. The hub reviews each project and its cost before voting opens; "
        "the review shows on this page."
    )
    return web.redirect(f"/budgeting/{round_id}#proposals")


# -- results --------------------------------------------------------------------------------------


@router.get("/budgeting/{round_id}/results", response_class=HTMLResponse)
async def results(request: Request, round_id: str, web: WebDep) -> HTMLResponse:
    p = web.services.participation
    budget_round, _etag = await p.pb_round(round_id)
    hub = await hub_or_404(web, budget_round["hub_id"])
    counted, proposals = None, []
    if budget_round["phase"] == "closed":
        counted, proposals = await asyncio.gather(p.pb_results(round_id), p.pb_proposals(round_id))
    by_id = {x["id"]: x for x in proposals}
    return await web.render(
        request,
        "participate/budgeting/results.html",
        title=f"Results: {budget_round['title']}",
        hub=hub,
        round=budget_round,
        results=counted,
        chart=results_chart(counted) if counted and counted["projects"] else None,
        funded=[
            by_id[x["proposal_id"]]
            for x in (counted or {}).get("projects", [])
            if x["funded"] and x["proposal_id"] in by_id
        ],
        **words(),
    )

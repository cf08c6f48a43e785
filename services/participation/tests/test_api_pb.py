"""Participatory budgeting through the real app and database: a round from draft to results, proposals
reviewed, one ballot per resident (replaceable while voting is open, also 50 submissions at once),
bad ballots refused with nothing stored, results public once closed and published as an anonymous
event, a recount that agrees, the worker closing rounds past their window, funded projects tracked
to delivery, and erasure keeping the anonymous counts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from participation_testkit import NORTH, RIVER, ParticipationApi, assert_problem
from test_privacy_demo_and_docs import ask

from hub_common.residents import EMAIL_RESIDENT_PREFIX
from hub_participation.__main__ import DEFINITION

RESULTS = "hub.participation.pb_round.results_published.v1"
BUDGET = 1_000_000  # £10,000


async def new_round(api: ParticipationApi, hub: str = NORTH, **fields: Any) -> dict:
    body = {
        "hub_id": hub,
        "title": "Northfield's £10,000",
        "description": "Tell us how to spend £10,000 on the estate this year.",
        "budget": BUDGET,
        "method": "allocation",
        "voting_closes_at": (datetime.now(UTC) + timedelta(days=14)).isoformat(),
        **fields,
    }
    response = await api.client.post("/v1/pb/rounds", json=body, headers=api.staff(hub))
    assert response.status_code == 201, response.text
    return response.json()


async def advance(api: ParticipationApi, round_id: str, to: str, hub: str = NORTH):
    return await api.client.post(f"/v1/pb/rounds/{round_id}/advance", json={"to": to}, headers=api.staff(hub))


async def submit(api: ParticipationApi, round_id: str, by: str, title: str, cost: int, **extra: Any):
    body = {"title": title, "description": f"{title}, for everyone on the estate.", "estimated_cost": cost, **extra}
    return await api.client.post(f"/v1/pb/rounds/{round_id}/proposals", json=body, headers=api.resident(by))


async def review(api: ParticipationApi, proposal_id: str, **body: Any):
    return await api.client.post(f"/v1/pb/proposals/{proposal_id}/review", json=body, headers=api.staff())


def voter(name: str) -> str:
    """The sub of a resident who signed in with their email (only they may vote through the API)."""
    return EMAIL_RESIDENT_PREFIX + name


async def vote(api: ParticipationApi, round_id: str, by: str, choices: list[str]):
    body = {"choices": choices}
    return await api.client.put(f"/v1/pb/rounds/{round_id}/ballot", json=body, headers=api.resident(voter(by)))


async def in_voting(api: ParticipationApi, **fields: Any) -> tuple[str, dict[str, str]]:
    """A round in voting with three eligible projects (big 600k, mid 300k, small 150k) and one not."""
    round_id = (await new_round(api, **fields))["id"]
    assert (await advance(api, round_id, "proposals")).status_code == 200
    ids = {}
    for name, cost in (("big", 600_000), ("mid", 300_000), ("small", 150_000), ("nope", 90_000)):
        response = await submit(api, round_id, f"res-{name}", f"The {name} project", cost)
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    for name in ("big", "mid", "small"):
        assert (await review(api, ids[name], eligible=True)).status_code == 200
    assert (await review(api, ids["nope"], eligible=False, reason="Not on council land")).status_code == 200
    assert (await advance(api, round_id, "review")).status_code == 200
    assert (await advance(api, round_id, "voting")).status_code == 200
    return round_id, ids


async def test_a_round_goes_from_draft_through_proposals_and_review_to_voting(api: ParticipationApi) -> None:
    created = await new_round(api)
    round_id = created["id"]
    assert created["phase"] == "draft" and created["budget"] == BUDGET
    assert_problem(await api.client.get(f"/v1/pb/rounds/{round_id}"), 404)  # a draft is not public
    assert (await api.client.get(f"/v1/hubs/{NORTH}/pb-rounds")).json()["items"] == []
    assert_problem(await submit(api, round_id, "res-1", "A table tennis table", 250_000), 409)  # not open yet
    assert_problem(await advance(api, round_id, "voting"), 409)  # no skipping
    assert_problem(await advance(api, round_id, "proposals", hub=RIVER), 403)  # another hub's staff

    opened = await advance(api, round_id, "proposals")
    assert opened.json()["phase"] == "proposals"
    assert_problem(await advance(api, round_id, "proposals"), 409)  # a repeated click
    [listed] = (await api.client.get(f"/v1/hubs/{NORTH}/pb-rounds")).json()["items"]
    assert listed["id"] == round_id

    submitted = await submit(
        api, round_id, "res-1", "A table tennis table", 250_000, contact={"email": "tt@example.org"}
    )
    assert submitted.status_code == 201, submitted.text
    proposal = submitted.json()
    assert proposal["status"] == "submitted" and "res-1" not in submitted.text
    other = (await submit(api, round_id, "res-2", "Planters on the square", 120_000)).json()
    [event] = await api.outbox("hub.participation.pb_proposal.submitted.v1", proposal_id=proposal["id"])
    assert event["data"]["proposer_id"] == "res-1" and event["subject"] == round_id
    assert "tt@example.org" not in str(event)

    assert_problem(await review(api, other["id"], eligible=False), 422)  # ineligible needs the public reason
    eligible = await review(api, proposal["id"], eligible=True, final_cost=300_000, reason="With the fitting")
    assert eligible.json()["status"] == "eligible" and eligible.json()["final_cost"] == 300_000
    assert (await advance(api, round_id, "review")).status_code == 200
    assert_problem(await submit(api, round_id, "res-3", "Too late for this", 10_000), 409)
    assert_problem(await advance(api, round_id, "voting"), 409, "conflict")  # one still waits for review
    await review(api, other["id"], eligible=False, reason="The square is private land")
    voting = await advance(api, round_id, "voting")
    assert voting.status_code == 200 and voting.json()["phase"] == "voting"
    assert_problem(await review(api, other["id"], eligible=True), 409)  # reviews end when voting opens
    assert_problem(await api.client.patch(f"/v1/pb/rounds/{round_id}", json={"budget": 5}, headers=api.staff()), 409)
    [opened_event] = await api.outbox("hub.participation.pb_round.voting_opened.v1")
    assert opened_event["data"]["projects"] == 1 and opened_event["data"]["budget"] == BUDGET

    ballot = (await api.client.get(f"/v1/pb/rounds/{round_id}/proposals", params={"status": "eligible"})).json()
    assert [p["id"] for p in ballot["items"]] == [proposal["id"]]
    public = await api.client.get(f"/v1/pb/proposals/{other['id']}")
    assert public.json()["review_reason"] == "The square is private land" and "res-2" not in public.text


async def test_one_ballot_each_replaceable_while_open_and_bad_ballots_store_nothing(api: ParticipationApi) -> None:
    round_id, ids = await in_voting(api)
    for choices, status in (
        ([ids["big"], ids["mid"], ids["small"]], 422),  # 1,050,000 > the budget
        ([ids["nope"]], 422),  # ineligible: not on the ballot
        (["pbp-unknown"], 422),
        ([], 422),
        ([ids["big"], ids["big"]], 422),
    ):
        assert_problem(await vote(api, round_id, "res-voter", choices), status)
    assert await api.count("pb_ballots") == 0
    # A browser's pseudonymous resident is a new person whenever cookies are cleared: not a voter.
    anonymous = api.resident("web-0123456789abcdef")
    url = f"/v1/pb/rounds/{round_id}/ballot"
    refused = await api.client.put(url, json={"choices": [ids["big"]]}, headers=anonymous)
    assert_problem(refused, 403)
    assert "email" in refused.json()["detail"] and await api.count("pb_ballots") == 0
    assert_problem(await vote(api, "pb-nosuchround", "res-voter", [ids["big"]]), 404)
    assert_problem(
        await api.client.put(f"/v1/pb/rounds/{round_id}/ballot", json={"choices": [ids["big"]]}, headers=api.staff()),
        403,
    )

    first = await vote(api, round_id, "res-voter", [ids["big"], ids["small"]])
    assert first.status_code == 201 and first.json()["replaced"] is False and first.json()["ballots"] == 1
    again = await vote(api, round_id, "res-voter", [ids["mid"]])
    assert again.status_code == 200 and again.json() == {
        "round_id": round_id,
        "choices": [ids["mid"]],
        "replaced": True,
        "ballots": 1,
    }
    mine = await api.client.get(f"/v1/pb/rounds/{round_id}/ballot", headers=api.resident(voter("res-voter")))
    assert mine.json()["choices"] == [ids["mid"]]
    assert_problem(await api.client.get(f"/v1/pb/rounds/{round_id}/ballot", headers=api.resident(voter("res-x"))), 404)
    [stored] = await api.db.pb_ballots.find({}).to_list()
    assert set(stored) == {"_id", "round_id", "choices"} and "res-voter" not in str(stored)
    assert (await api.client.get(f"/v1/pb/rounds/{round_id}")).json()["ballots"] == 1


async def test_fifty_ballots_of_one_person_at_once_leave_one_ballot(api: ParticipationApi) -> None:
    round_id, ids = await in_voting(api)
    choices = [[ids["big"]], [ids["mid"], ids["small"]]]
    responses = await asyncio.gather(*(vote(api, round_id, "res-eager", choices[n % 2]) for n in range(50)))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1 and set(codes) <= {200, 201, 409}, codes
    assert await api.count("pb_ballots", round_id=round_id) == 1
    assert (await api.client.get(f"/v1/pb/rounds/{round_id}")).json()["ballots"] == 1


async def test_closing_counts_publishes_anonymous_results_and_a_recount_agrees(api: ParticipationApi) -> None:
    round_id, ids = await in_voting(api)
    assert_problem(await api.client.get(f"/v1/pb/rounds/{round_id}/results"), 403)  # not before closing
    for n, choices in enumerate([["big"], ["big", "small"], ["big"], ["mid", "small"], ["mid"], ["small"]]):
        assert (await vote(api, round_id, f"res-{n}", [ids[c] for c in choices])).status_code == 201
    assert_problem(await api.client.post(f"/v1/pb/rounds/{round_id}/close", headers=api.staff(RIVER)), 403)

    closed = await api.client.post(f"/v1/pb/rounds/{round_id}/close", headers=api.staff())
    assert closed.status_code == 200 and closed.json()["phase"] == "closed"
    assert_problem(await vote(api, round_id, "res-0", [ids["mid"]]), 409)  # no vote changes after closing
    assert_problem(await vote(api, round_id, "res-late", [ids["mid"]]), 409)
    assert_problem(await api.client.post(f"/v1/pb/rounds/{round_id}/close", headers=api.staff()), 409)

    results = (await api.client.get(f"/v1/pb/rounds/{round_id}/results")).json()
    ranked = [(p["proposal_id"], p["votes"], p["funded"]) for p in results["projects"]]
    # small and big tie on 3 votes: the cheaper first; then mid (2) no longer fits the budget left
    assert ranked == [(ids["small"], 3, True), (ids["big"], 3, True), (ids["mid"], 2, False)]
    assert results["ballots"] == 6 and results["funded_total"] == 750_000
    [event] = await api.outbox(RESULTS, subject=round_id)
    assert event["data"]["projects"] == results["projects"] and event["data"]["ballots"] == 6
    assert "res-" not in str(event)
    statuses = {
        p["id"]: p["status"] for p in (await api.client.get(f"/v1/pb/rounds/{round_id}/proposals")).json()["items"]
    }
    assert statuses == {
        ids["big"]: "funded",
        ids["small"]: "funded",
        ids["mid"]: "not_funded",
        ids["nope"]: "ineligible",
    }

    recount = await api.client.post(f"/v1/pb/rounds/{round_id}/recount", headers=api.staff())
    assert recount.status_code == 200 and recount.json()["matches"] is True
    assert recount.json()["recounted"] == results
    assert_problem(await api.client.post(f"/v1/pb/rounds/{round_id}/recount", headers=api.resident()), 403)


async def test_approval_voting_takes_up_to_its_most_approvals_and_may_exceed_the_budget(api: ParticipationApi) -> None:
    round_id, ids = await in_voting(api, method="approval", max_approvals=3)
    all_three = [ids["big"], ids["mid"], ids["small"]]
    assert (await vote(api, round_id, "res-1", all_three)).status_code == 201  # 1,050,000: fine for approval
    await api.client.patch(
        f"/v1/pb/rounds/{round_id}", json={"title": "Northfield's £10,000 (approval)"}, headers=api.staff()
    )
    assert_problem(await vote(api, round_id, "res-2", [*all_three, ids["nope"]]), 422)


async def test_the_worker_closes_rounds_past_their_window_once(api: ParticipationApi) -> None:
    round_id, ids = await in_voting(api)
    await vote(api, round_id, "res-1", [ids["mid"]])
    past = datetime.now(UTC) - timedelta(minutes=1)
    window = {"voting_opens_at": past - timedelta(days=7), "voting_closes_at": past}
    await api.db.pb_rounds.update_one({"_id": round_id}, {"$set": window})
    assert_problem(await vote(api, round_id, "res-2", [ids["mid"]]), 409)  # the window has passed
    use_cases = api.ctx.components.use_cases
    assert await use_cases.pb_results.close_due() == 1
    assert await use_cases.pb_results.close_due() == 0
    assert len(await api.outbox(RESULTS, subject=round_id)) == 1
    results = (await api.client.get(f"/v1/pb/rounds/{round_id}/results")).json()
    assert [p["proposal_id"] for p in results["projects"] if p["funded"]] == [ids["mid"]]


async def test_a_funded_project_takes_progress_until_delivered(api: ParticipationApi) -> None:
    round_id, ids = await in_voting(api)
    await vote(api, round_id, "res-1", [ids["small"]])
    await api.client.post(f"/v1/pb/rounds/{round_id}/close", headers=api.staff())

    def progress(proposal_id: str, **body: Any):
        return api.client.post(f"/v1/pb/proposals/{proposal_id}/progress", json=body, headers=api.staff())

    assert_problem(await progress(ids["mid"], note="Not funded"), 409)
    assert (await progress(ids["small"], note="The planters are ordered.")).status_code == 200
    done = await progress(ids["small"], note="Planted with the residents' group.", done=True)
    assert done.json()["status"] == "delivered" and [u["done"] for u in done.json()["updates"]] == [False, True]
    assert_problem(await progress(ids["small"], note="Again", done=True), 409)
    [delivered] = await api.outbox("hub.participation.pb_project.delivered.v1")
    assert delivered["data"]["proposal_id"] == ids["small"] and delivered["data"]["votes"] == 1
    assert delivered["data"]["round_title"] == "Northfield's £10,000" and delivered["subject"] == round_id
    assert len(await api.outbox("hub.participation.pb_project.progress_published.v1")) == 2


async def test_erasure_unlinks_proposals_keeps_a_closed_rounds_votes_and_withdraws_an_open_ones(
    api: ParticipationApi,
) -> None:
    closed_round, closed_ids = await in_voting(api)
    await vote(api, closed_round, "res-big", [closed_ids["mid"]])  # res-big also proposed "big"
    await vote(api, closed_round, "res-other", [closed_ids["mid"]])
    await api.client.post(f"/v1/pb/rounds/{closed_round}/close", headers=api.staff())
    open_round, open_ids = await in_voting(api)
    await vote(api, open_round, "res-big", [open_ids["small"]])

    exported = await ask(api, "access", ["res-big", voter("res-big")])  # every id the person is known by
    assert {b["round_id"] for b in exported["export"]["budgeting_ballots"]} == {closed_round, open_round}
    assert len(exported["export"]["budgeting_proposals"]) == 2 and "res-other" not in str(exported)

    answer = await ask(api, "erasure", ["res-big", voter("res-big")])
    held = {h["kind"]: h["count"] for h in answer["held"]}
    assert held["budgeting proposals"] == 2 and held["budgeting ballots counted"] == 1
    assert held["budgeting ballots withdrawn"] == 1
    assert await api.count("pb_proposals", proposer_id="res-big") == 0
    assert await api.count("pb_ballots", round_id=closed_round) == 2  # still counted, anonymous
    assert await api.count("pb_ballots", round_id=open_round) == 0
    assert (await api.client.get(f"/v1/pb/rounds/{open_round}")).json()["ballots"] == 0
    recount = await api.client.post(f"/v1/pb/rounds/{closed_round}/recount", headers=api.staff())
    assert recount.json()["matches"] is True
    assert (await vote(api, open_round, "res-big", [open_ids["mid"]])).status_code == 201  # counted once again
    erased = await api.outbox("hub.participation.contact.erased.v1")  # notifications forgets them too
    assert sorted(e["data"]["person_id"] for e in erased) == ["res-big", voter("res-big")]


async def test_demo_data_puts_a_round_in_voting_in_both_hubs(api: ParticipationApi) -> None:
    await DEFINITION.seed_demo_data(api.ctx)
    await DEFINITION.seed_demo_data(api.ctx)  # a restart adds nothing twice

    for hub, method in ((NORTH, "allocation"), (RIVER, "approval")):
        [budget_round] = (await api.client.get(f"/v1/hubs/{hub}/pb-rounds")).json()["items"]
        assert budget_round["phase"] == "voting" and budget_round["method"] == method
        assert budget_round["ballots"] == 3
        url = f"/v1/pb/rounds/{budget_round['id']}/proposals"
        ballot = (await api.client.get(url, params={"status": "eligible"})).json()["items"]
        assert len(ballot) >= 3 and all(p["final_cost"] for p in ballot)
        [refused] = (await api.client.get(url, params={"status": "ineligible"})).json()["items"]
        assert refused["review_reason"]
        assert (await vote(api, budget_round["id"], "res-visitor", [ballot[-1]["id"]])).status_code == 201
    assert len(await api.outbox("hub.participation.pb_round.voting_opened.v1")) == 2

"""Participatory budgeting pages (residents and the staff console) with the participation service behind
an httpx MockTransport (view logic only: the journey against the real services is in
test_participation_journeys.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
from test_participation_pages import STAFF, open_email_link, sign_in, text_of
from web_testkit import csrf_of

from hub_common.residents import EMAIL_RESIDENT_PREFIX
from hub_testkit.tokens import issue_token
from hub_web import participation_forms as pforms
from hub_web.forms import FormData

NOW = datetime.now(UTC)
ROUND = {
    "id": "pb-1", "hub_id": "hub-a", "title": "Alpha's £1,000", "description": "Choose what the hub funds.",
    "budget": 100_000, "method": "allocation", "max_approvals": None, "phase": "voting",
    "proposals_close_at": None, "voting_opens_at": (NOW - timedelta(days=1)).isoformat(),
    "voting_closes_at": (NOW + timedelta(days=7)).isoformat(), "closed_at": None, "ballots": 2,
}  # fmt: skip


def proposal(n: int, title: str, cost: int, status: str = "eligible", **extra) -> dict:
    return {
        "id": f"pp-{n}", "round_id": "pb-1", "hub_id": "hub-a", "title": title,
        "description": f"{title}, for everyone.", "estimated_cost": cost, "final_cost": cost, "status": status,
        "review_reason": None, "submitted_at": "2026-11-20T10:00:00Z", "reviewed_at": None, "votes": None,
        "updates": [], "delivered_at": None, **extra,
    }  # fmt: skip


PROPOSALS = [
    proposal(1, "Planters on the square", 60_000),
    proposal(2, "A table tennis table", 50_000),
    proposal(3, "Resurface the car park", 80_000, "ineligible", final_cost=None, review_reason="Private land."),
]
RESULTS = {
    "round_id": "pb-1", "method": "allocation", "budget": 100_000, "ballots": 3, "funded_total": 60_000,
    "projects": [
        {"proposal_id": "pp-1", "title": "Planters on the square", "cost": 60_000, "votes": 2, "funded": True},
        {"proposal_id": "pp-2", "title": "A table tennis table", "cost": 50_000, "votes": 1, "funded": False},
    ],
}  # fmt: skip


async def sign_in_by_email(client: httpx.AsyncClient, sub: str = EMAIL_RESIDENT_PREFIX + "ann") -> httpx.Response:
    """Open an emailed sign-in link (its token names an email-derived sub) and land on the round."""
    await open_email_link(client, "/budgeting/pb-1", sub)
    return await client.get("/budgeting/pb-1")


class Budgeting:
    """A fake participation service's budgeting API: what the pages asked for, and canned answers."""

    def __init__(self) -> None:
        self.asked: list[httpx.Request] = []
        self.round = dict(ROUND)
        self.proposals = [dict(p) for p in PROPOSALS]
        self.mine: list[str] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response | None:
        path, method = request.url.path, request.method
        self.asked.append(request)
        body = json.loads(request.content) if request.content else None
        if path == "/v1/hubs/hub-a/pb-rounds":
            return httpx.Response(200, json={"items": [self.round], "next_cursor": None})
        if path == "/v1/pb/rounds/pb-1" and method == "GET":
            return httpx.Response(200, json=self.round, headers={"ETag": '"v4"'})
        if path == "/v1/pb/rounds/pb-1/proposals" and method == "GET":
            return httpx.Response(200, json={"items": self.proposals, "next_cursor": None})
        if path == "/v1/pb/rounds/pb-1/proposals" and method == "POST":
            if self.round["phase"] != "proposals":
                return httpx.Response(409, json={"title": "Conflict", "detail": "the round does not take proposals"})
            return httpx.Response(201, json=proposal(9, body["title"], body["estimated_cost"], "submitted"))
        if path == "/v1/pb/rounds/pb-1/ballot" and method == "GET":
            if self.mine is None:
                return httpx.Response(404, json={"title": "Not found", "detail": "you have not voted"})
            return httpx.Response(200, json={"round_id": "pb-1", "choices": self.mine})
        if path == "/v1/pb/rounds/pb-1/ballot" and method == "PUT":
            costs = {p["id"]: p["final_cost"] or 0 for p in self.proposals}
            spent = sum(costs[c] for c in body["choices"])
            if spent > self.round["budget"]:
                detail = f"your choices cost {spent} pence, more than the budget of {self.round['budget']}"
                return httpx.Response(422, json={"title": "Unprocessable", "detail": detail})
            replaced, self.mine = self.mine is not None, body["choices"]
            return httpx.Response(200, json={"round_id": "pb-1", "choices": self.mine, "replaced": replaced,
                                             "ballots": 3})  # fmt: skip
        if path == "/v1/pb/rounds/pb-1/results":
            return httpx.Response(200, json=RESULTS)
        if path == "/v1/pb/rounds/pb-1/recount":
            return httpx.Response(200, json={"matches": True, "published": RESULTS, "recounted": RESULTS})
        if path == "/v1/pb/rounds" and method == "POST":
            return httpx.Response(201, json={**self.round, **body, "id": "pb-1", "phase": "draft"})
        if path.startswith("/v1/pb/rounds/pb-1") and method in ("PATCH", "POST"):
            return httpx.Response(200, json=self.round)
        if path.startswith("/v1/pb/proposals/"):
            found = next((p for p in self.proposals if path.split("/")[4] == p["id"]), None)
            if found is None:
                return httpx.Response(404, json={"title": "Not found", "detail": "no such proposal"})
            return httpx.Response(200, json=found, headers={"ETag": '"v2"'})
        if path.startswith("/v1/hubs/hub-a/"):  # the Have your say page's other sections: empty
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        return None

    def last(self, path: str, method: str = "POST") -> httpx.Request:
        return next(r for r in reversed(self.asked) if r.url.path == path and r.method == method)


def test_money_and_the_round_form_are_checked_as_the_service_takes_them() -> None:
    assert pforms.pounds(100_000) == "£1,000" and pforms.pounds(123_456) == "£1,234.56"
    form = FormData([("title", "Alpha's £1,000"), ("description", "Choose what the hub funds."),
                     ("budget", "£1,000.50"), ("method", "approval"), ("max_approvals", "3"),
                     ("voting_closes-day", "1"), ("voting_closes-month", "1"),
                     ("voting_closes-year", "2040")])  # fmt: skip
    body, errors = pforms.check_round(form, NOW)
    assert not errors
    assert body["budget"] == 100_050 and body["max_approvals"] == 3 and body["proposals_close_at"] is None
    assert body["voting_closes_at"] == "2040-01-01T23:59:00+00:00"  # the end of the day, UK time
    assert pforms.round_form(body).one("voting_closes-day") == "1"  # shown back as the day it ends
    bad = FormData([("budget", "lots"), ("method", "raffle"), ("voting_opens-day", "5"), ("voting_opens-month", "1"),
                    ("voting_opens-year", "2040"), ("voting_closes-day", "4"), ("voting_closes-month", "1"),
                    ("voting_closes-year", "2040")])  # fmt: skip
    _body, errors = pforms.check_round(bad, NOW)
    assert errors.get("budget") == "Enter the budget in pounds, like 1,500 or 1,500.50"
    assert errors.get("method") == "Choose how residents vote"
    assert errors.get("voting_closes-day") == "Voting must close after it opens"
    body, errors = pforms.check_review(FormData([("outcome-pp-1", "ineligible")]), "pp-1")
    assert errors.get("reason-pp-1") == "Give the public reason it cannot go on the ballot"
    body, errors = pforms.check_review(FormData([("outcome-pp-1", "eligible"), ("final_cost-pp-1", "650")]), "pp-1")
    assert not errors and body == {"eligible": True, "final_cost": 65_000}


async def test_the_hub_lists_its_rounds_and_a_round_shows_its_proposals_and_reviews(make_client) -> None:
    fake = Budgeting()
    async for client in make_client(fake):
        start = await client.get("/have-your-say")
        assert 'href="/hubs/hub-a/budgeting"' in start.text
        hub = text_of((await client.get("/hubs/hub-a/have-your-say")).text)
        assert "Budgeting" in hub and "Alpha's £1,000" in hub
        words = text_of((await client.get("/hubs/hub-a/budgeting")).text)
        assert "Alpha's £1,000" in words and "£1,000 · Voting until" in words
        page = await client.get("/budgeting/pb-1")
        assert page.status_code == 200
        words = text_of(page.text)
        assert "Budget £1,000" in words and "Choose projects whose costs together fit the budget" in words
        assert "Why it is not eligible: Private land." in words and "Estimated cost: £800" in words
        # Not signed in with an email: the ballot asks for that first (one ballot per person, any device).
        assert "To vote, sign in with your email" in words and "Cast my vote" not in words
        assert 'action="/sign-in/email"' in page.text and 'name="next" value="/budgeting/pb-1"' in page.text
        assert 'name="hub_id" value="hub-a"' in page.text
        page = await sign_in_by_email(client)
        assert 'type="checkbox" value="pp-1"' in page.text and 'value="pp-3"' not in page.text  # on the ballot only
        words = text_of(page.text)
        assert "Cast my vote" in words and "You have voted" not in words and "To vote, sign in" not in words


async def test_a_resident_votes_is_told_when_over_the_budget_and_replaces_their_ballot(make_client) -> None:
    fake = Budgeting()
    async for client in make_client(fake):
        page = await client.get("/budgeting/pb-1")
        # A browser's own pseudonymous resident may not vote: refused here, never sent to the service.
        unverified = await client.post(
            "/budgeting/pb-1/ballot", data={"csrf_token": csrf_of(page.text), "choices": "pp-1"}
        )
        assert unverified.status_code == 403 and "To vote, sign in with your email" in text_of(unverified.text)
        assert not [r for r in fake.asked if r.method == "PUT"]
        page = await sign_in_by_email(client)
        csrf = csrf_of(page.text)
        nothing = await client.post("/budgeting/pb-1/ballot", data={"csrf_token": csrf})
        assert nothing.status_code == 400 and "Choose at least one project" in nothing.text
        over = await client.post("/budgeting/pb-1/ballot", data={"csrf_token": csrf, "choices": ["pp-1", "pp-2"]})
        # The service refuses (422): the page says so in pounds, beside the ballot, keeping the ticks.
        assert over.status_code == 422
        assert "The projects you chose cost £1,100 together, more than the budget of £1,000" in text_of(over.text)
        assert 'href="#choices"' in over.text and 'value="pp-2" checked' in over.text
        sent = json.loads(fake.last("/v1/pb/rounds/pb-1/ballot", "PUT").content)
        assert sent == {"choices": ["pp-1", "pp-2"]}
        csrf = csrf_of(over.text)
        cast = await client.post("/budgeting/pb-1/ballot", data={"csrf_token": csrf, "choices": "pp-1"})
        assert cast.status_code == 303 and cast.headers["location"] == "/budgeting/pb-1#ballot"
        assert fake.last("/v1/pb/rounds/pb-1/ballot", "PUT").headers["Authorization"].startswith("Bearer ")
        words = text_of((await client.get("/budgeting/pb-1")).text)
        assert "Thank you: your vote is counted." in words
        assert "You have voted. Your choices, £600 of £1,000: Planters on the square" in words
        assert "Change my vote" in words
        page = await client.get("/budgeting/pb-1")
        assert 'value="pp-1" checked' in page.text  # your ballot, ticked, to change
        again = await client.post("/budgeting/pb-1/ballot", data={"csrf_token": csrf, "choices": "pp-2"})
        assert again.status_code == 303
        words = text_of((await client.get("/budgeting/pb-1")).text)
        assert "Your new choices replace your earlier vote" in words and "A table tennis table" in words
        fake.round = {**ROUND, "voting_closes_at": (NOW - timedelta(hours=1)).isoformat()}  # the window has passed
        words = text_of((await client.get("/budgeting/pb-1")).text)
        assert "Voting is not open at the moment" in words and "Change my vote" not in words


async def test_approving_too_many_or_voting_out_of_the_window_shows_the_services_refusal(make_client) -> None:
    fake = Budgeting()
    fake.round = {**ROUND, "method": "approval", "max_approvals": 1}
    answers = iter([(422, "approve at most 1 projects"), (409, "voting is not open in this round")])

    def refusing(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/pb/rounds/pb-1/ballot" and request.method == "PUT":
            status, detail = next(answers)
            return httpx.Response(status, json={"title": "Refused", "detail": detail})
        return fake(request)

    async for client in make_client(refusing):
        page = await sign_in_by_email(client)
        words = text_of(page.text)
        assert "Tick every project you support" in words and "You can approve up to 1 project." in words
        form = {"csrf_token": csrf_of(page.text), "choices": ["pp-1", "pp-2"]}
        refused = await client.post("/budgeting/pb-1/ballot", data=form)
        assert refused.status_code == 422 and "Approve at most 1 project: untick one or more" in text_of(refused.text)
        form = {"csrf_token": csrf_of(refused.text), "choices": "pp-2"}
        refused = await client.post("/budgeting/pb-1/ballot", data=form)
        assert refused.status_code == 409
        assert "Voting is not open in this round, so your vote could not be counted." in text_of(refused.text)


async def test_proposing_a_project_checks_it_and_sends_it_in_pence(make_client) -> None:
    fake = Budgeting()
    fake.round = {**ROUND, "phase": "proposals", "voting_opens_at": None}
    async for client in make_client(fake):
        assert "Propose a project" in (await client.get("/budgeting/pb-1")).text
        page = await client.get("/budgeting/pb-1/propose")
        csrf = csrf_of(page.text)
        refused = await client.post("/budgeting/pb-1/propose", data={"csrf_token": csrf, "estimated_cost": "a lot"})
        words = text_of(refused.text)
        assert refused.status_code == 400 and "Enter your project in a line" in words
        assert "Enter the cost in pounds, like 1,500" in words
        form = {"csrf_token": csrf, "title": "Bulbs along the verges", "description": "Daffodils for the spring.",
                "estimated_cost": "£900", "email": "jo@example.org", "idempotency_key": "k7"}  # fmt: skip
        sent = await client.post("/budgeting/pb-1/propose", data=form)
        assert sent.status_code == 303 and sent.headers["location"] == "/budgeting/pb-1#proposals"
        request = fake.last("/v1/pb/rounds/pb-1/proposals")
        assert request.headers["Idempotency-Key"] == "k7"
        assert json.loads(request.content) == {"title": "Bulbs along the verges", "description":
                                               "Daffodils for the spring.", "estimated_cost": 90_000,
                                               "contact": {"email": "jo@example.org"}}  # fmt: skip
        page = await client.get("/budgeting/pb-1/propose")  # signed in as a resident now: a new CSRF token
        fake.round = {**ROUND, "phase": "review"}  # proposals have closed since the page was loaded
        late = await client.post("/budgeting/pb-1/propose", data={**form, "csrf_token": csrf_of(page.text)})
        assert late.status_code == 409 and "not taking proposals now" in late.text


async def test_results_show_a_chart_with_its_table_and_the_funded_projects_progress(make_client) -> None:
    fake = Budgeting()
    async for client in make_client(fake):
        early = await client.get("/budgeting/pb-1/results")
        assert "published when voting closes" in early.text
        assert not any(r.url.path.endswith("/results") for r in fake.asked)
        fake.round = {**ROUND, "phase": "closed", "closed_at": "2026-12-01T10:00:00Z"}
        update = {"note": "Planters ordered", "done": False, "at": "2026-12-02T10:00:00Z"}
        fake.proposals[0] = {**PROPOSALS[0], "status": "funded", "votes": 2, "updates": [update]}
        page = await client.get("/budgeting/pb-1/results")
        assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 1
        assert "<title" in page.text and "Votes: funded" in page.text and "Votes: not funded" in page.text
        row = '<tr><th scope="row">Planters on the square</th><td>£600</td><td>2</td><td>Yes</td></tr>'
        assert row in page.text
        words = text_of(page.text)
        assert "3 residents voted. £600 of the £1,000 budget" in words and "Planters ordered" in words


async def test_the_budgeting_console_is_for_the_hubs_own_staff(make_client) -> None:
    fake = Budgeting()
    async for client in make_client(fake, **STAFF):
        assert (await client.get("/staff/budgeting/pb-1")).headers["location"].startswith("/sign-in")
        await sign_in(client, "beta")
        for path in ("/staff/hubs/hub-a/participation/budgeting", "/staff/budgeting/pb-1"):
            assert (await client.get(path)).status_code == 403, path
        page = await client.get("/have-your-say")
        form = {"csrf_token": csrf_of(page.text), "outcome-pp-1": "eligible"}
        assert (await client.post("/staff/budgeting/proposals/pp-1/review", data=form)).status_code == 403
        assert not [r for r in fake.asked if r.url.path.endswith("/review")]


async def test_staff_start_a_round_review_move_it_on_close_and_recount(make_client) -> None:
    fake = Budgeting()
    async for client in make_client(fake, **STAFF):
        await sign_in(client)
        nav = await client.get("/staff/hubs/hub-a/participation")
        assert 'href="/staff/hubs/hub-a/participation/budgeting"' in nav.text
        listed = text_of((await client.get("/staff/hubs/hub-a/participation/budgeting")).text)
        assert "Alpha's £1,000" in listed and "Start a budgeting round" in listed
        page = await client.get("/staff/hubs/hub-a/participation/budgeting/new")
        csrf = csrf_of(page.text)
        refused = await client.post("/staff/hubs/hub-a/participation/budgeting/new", data={"csrf_token": csrf})
        assert refused.status_code == 400 and "Enter the budget, in pounds" in refused.text
        form = {"csrf_token": csrf, "title": "Winter fund", "description": "Warm spaces this winter.",
                "budget": "2,500", "method": "allocation", "idempotency_key": "k9"}  # fmt: skip
        created = await client.post("/staff/hubs/hub-a/participation/budgeting/new", data=form)
        assert created.status_code == 303 and created.headers["location"] == "/staff/budgeting/pb-1"
        body = json.loads(fake.last("/v1/pb/rounds").content)
        assert body["hub_id"] == "hub-a" and body["budget"] == 250_000 and body["voting_closes_at"] is None

        fake.round = {**ROUND, "phase": "review", "voting_opens_at": None}
        fake.proposals.append(proposal(4, "Bulbs on the verges", 9_000, "submitted", final_cost=None))
        page = await client.get("/staff/budgeting/pb-1")
        words = text_of(page.text)
        assert "1 proposal waits for review" in words and "Open voting" in words
        assert 'value="2,500"' not in page.text and 'name="budget" type="text" value="1,000"' in page.text
        refused = await client.post("/staff/budgeting/proposals/pp-4/review",
                                    data={"csrf_token": csrf, "outcome-pp-4": "ineligible"})  # fmt: skip
        assert refused.status_code == 400 and 'href="#reason-pp-4"' in refused.text
        form = {"csrf_token": csrf, "outcome-pp-4": "eligible", "final_cost-pp-4": "120"}
        assert (await client.post("/staff/budgeting/proposals/pp-4/review", data=form)).status_code == 303
        review = fake.last("/v1/pb/proposals/pp-4/review")
        assert review.headers["If-Match"] == '"v2"' and json.loads(review.content) == {"eligible": True,
                                                                                     "final_cost": 12_000}  # fmt: skip
        edit = {"csrf_token": csrf, "title": "Alpha's £1,000", "description": "Choose what the hub funds.",
                "budget": "1,200", "method": "approval", "max_approvals": "2"}  # fmt: skip
        assert (await client.post("/staff/budgeting/pb-1/edit", data=edit)).status_code == 303
        patch = fake.last("/v1/pb/rounds/pb-1", "PATCH")
        assert patch.headers["If-Match"] == '"v4"'
        assert json.loads(patch.content)["budget"] == 120_000 and json.loads(patch.content)["max_approvals"] == 2
        moved = await client.post("/staff/budgeting/pb-1/advance", data={"csrf_token": csrf, "to": "voting"})
        assert moved.status_code == 303
        advance = fake.last("/v1/pb/rounds/pb-1/advance")
        assert json.loads(advance.content) == {"to": "voting"} and advance.headers["If-Match"] == '"v4"'

        fake.round = dict(ROUND)
        page = await client.get("/staff/budgeting/pb-1")
        assert "Close voting and publish the results" in page.text and "Change the round's settings" not in page.text
        assert (await client.post("/staff/budgeting/pb-1/close", data={"csrf_token": csrf})).status_code == 303
        assert fake.last("/v1/pb/rounds/pb-1/close").headers["If-Match"] == '"v4"'

        fake.round = {**ROUND, "phase": "closed", "closed_at": "2026-12-01T10:00:00Z"}
        fake.proposals[0] = {**PROPOSALS[0], "status": "funded", "votes": 2}
        page = await client.get("/staff/budgeting/pb-1")
        assert page.text.count('class="chart"') == 1 and "Count the ballots again" in page.text
        recount = await client.post("/staff/budgeting/pb-1/recount", data={"csrf_token": csrf})
        assert recount.status_code == 200 and "The recount matches the published results" in recount.text
        form = {"csrf_token": csrf, "note-pp-1": "Planted", "done-pp-1": "yes", "idempotency_key": "k10"}
        assert (await client.post("/staff/budgeting/proposals/pp-1/progress", data=form)).status_code == 303
        sent = fake.last("/v1/pb/proposals/pp-1/progress")
        assert json.loads(sent.content) == {"note": "Planted", "done": True} and sent.headers["If-Match"] == '"v2"'


async def test_a_resident_asks_for_a_sign_in_link_and_only_an_email_derived_link_signs_in_verified(
    make_client,
) -> None:
    fake = Budgeting()

    def links(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v1/sign-in-links":
            fake.asked.append(request)
            return httpx.Response(202, json={"detail": "sent"})
        return fake(request)

    async for client in make_client(links):
        page = await client.get("/sign-in/email?next=/budgeting/pb-1&hub_id=hub-a")
        assert page.status_code == 200 and "Sign in with your email" in text_of(page.text)
        csrf = csrf_of(page.text)
        form = {"csrf_token": csrf, "email": "not an address", "next": "/budgeting/pb-1", "hub_id": "hub-a"}
        bad = await client.post("/sign-in/email", data=form)
        assert bad.status_code == 400 and 'href="#email"' in bad.text
        assert not [r for r in fake.asked if r.url.path == "/v1/sign-in-links"]
        sent = await client.post("/sign-in/email", data={**form, "email": "ann@example.org"})
        assert sent.status_code == 200 and "Check your email" in text_of(sent.text)
        body = json.loads(fake.last("/v1/sign-in-links").content)
        assert body == {"email": "ann@example.org", "return_to": "/budgeting/pb-1", "language": "en", "hub_id": "hub-a"}
        # Another site, or a query, is never where the link returns to.
        await client.post("/sign-in/email", data={**form, "email": "ann@example.org", "next": "//evil.example/x"})
        assert json.loads(fake.last("/v1/sign-in-links").content)["return_to"] == "/"

        # A pseudonymous resident's token (an acknowledgement's link) does not sign in verified here.
        plain = issue_token(sub="web-0123", role="resident", ttl=timedelta(hours=1))
        refused = await client.get(f"/sign-in/email/done?token={plain}&next=/budgeting/pb-1")
        assert refused.headers["location"] == "/sign-in/email?next=/budgeting/pb-1"
        assert "To vote, sign in with your email" in text_of((await client.get("/budgeting/pb-1")).text)
        expired = issue_token(sub=EMAIL_RESIDENT_PREFIX + "ann", role="resident", ttl=timedelta(minutes=-5))
        stale = await client.get(f"/sign-in/email/done?token={expired}&next=/budgeting/pb-1")
        assert stale.headers["location"].startswith("/sign-in/email?")
        page = await sign_in_by_email(client)
        assert "You are signed in with your email address." in text_of(page.text)
        assert "Cast my vote" in text_of(page.text)

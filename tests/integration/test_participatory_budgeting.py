"""A participatory budgeting round end to end on the real broker and database, across services that meet
only through events: staff open a round, residents propose, staff review, residents vote over HTTP
(one of them 50 times at once: one ballot), the round closes with its anonymous results published,
the proposer hears that voting opened and the results by email over real SMTP, the winners are funded
projects, and the one delivered shows in the issues service's "You Said, We Did"."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from participation_testkit import round_in_voting

from hub_common.app import create_app
from hub_common.auth import Principal
from hub_common.contact_details import Contact
from hub_common.contracts import dlt_topic, inbound_topic
from hub_common.contracts.participation import PartnerBallotSubmitted
from hub_common.residents import EMAIL_RESIDENT_PREFIX, is_email_resident
from hub_issues.__main__ import DEFINITION as ISSUES
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_participation.__main__ import DEFINITION as PARTICIPATION
from hub_participation.service.pb_proposals import Review, Submission
from hub_participation.service.pb_rounds import RoundDraft
from hub_testkit.events import cloud_event
from hub_testkit.partners import grant_partner
from hub_testkit.tokens import issue_token

pytestmark = pytest.mark.integration

HUB = "hub-northfield"


async def test_a_round_from_proposals_to_a_delivered_project_in_you_said_we_did(
    service_context, kafka, background, wait_until, smtp_server, unique
):
    participation = await service_context(PARTICIPATION)
    notifications = await service_context(NOTIFICATIONS, smtp_port=smtp_server.port)
    issues = await service_context(ISSUES)
    for ctx in (notifications, issues):
        await kafka.skip_history(ctx.settings.consumer_group, list(ctx.definition.consumes))
    staff = Principal(sub=f"staff-{unique}", role="staff", hubs=(HUB,))
    proposer = Principal(sub=f"res-jo-{unique}", role="resident")
    email = f"jo-{unique}@example.org"
    use_cases = participation.components.use_cases
    background(participation.run_worker)
    background(notifications.run_worker)
    background(issues.run_worker)

    title = f"Northfield's £10,000 {unique}"
    draft = RoundDraft(
        hub_id=HUB,
        title=title,
        description="Tell us how to spend £10,000 on the estate.",
        budget=1_000_000,
        method="allocation",
        voting_closes_at=datetime.now(UTC) + timedelta(days=14),
    )
    budget_round = await use_cases.pb_rounds.create(staff, draft)
    await use_cases.pb_rounds.advance(staff, budget_round.id, "proposals", None)
    planters = await use_cases.pb_proposals.submit(
        proposer,
        budget_round.id,
        Submission(title="Planters on the square", description="Flowers by the shops.", estimated_cost=400_000),
        Contact("Jo", email, None),
    )
    pitch = await use_cases.pb_proposals.submit(
        Principal(sub=f"res-sam-{unique}", role="resident"),
        budget_round.id,
        Submission(title="An all-weather pitch", description="Five-a-side all year.", estimated_cost=900_000),
    )
    await use_cases.pb_proposals.review(staff, planters.id, Review(eligible=True, final_cost=450_000), None)
    await use_cases.pb_proposals.review(staff, pitch.id, Review(eligible=True), None)
    await use_cases.pb_rounds.advance(staff, budget_round.id, "review", None)
    await use_cases.pb_rounds.advance(staff, budget_round.id, "voting", None)
    [opened] = await wait_until(lambda: _mail(smtp_server, email, "Voting is open"), timeout_s=60)
    assert title in opened["Subject"] and "2 projects are on the ballot" in opened.get_content()

    app = create_app(PARTICIPATION, participation.settings, context=participation)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://participation.test"
        ) as client,
    ):

        def vote(sub: str, choices: list[str]):  # residents who signed in by email: only they vote
            token = issue_token(sub=EMAIL_RESIDENT_PREFIX + sub, role="resident")
            headers = {"Authorization": f"Bearer {token}"}
            url = f"/v1/pb/rounds/{budget_round.id}/ballot"
            return client.put(url, json={"choices": choices}, headers=headers)

        at_once = await asyncio.gather(*(vote(f"res-eager-{unique}", [planters.id]) for _ in range(50)))
        codes = [r.status_code for r in at_once]
        assert codes.count(201) == 1 and set(codes) <= {200, 201, 409}, codes
        for n in range(3):
            assert (await vote(f"res-{n}-{unique}", [planters.id])).status_code == 201
        assert (await vote(f"res-3-{unique}", [pitch.id])).status_code == 201
        assert (await vote(f"res-4-{unique}", [pitch.id, planters.id])).status_code == 422  # over the budget
        assert await participation.db["pb_ballots"].count_documents({"round_id": budget_round.id}) == 5

        closed = await client.post(
            f"/v1/pb/rounds/{budget_round.id}/close",
            headers={"Authorization": f"Bearer {issue_token(sub=staff.sub, role='staff', hubs=[HUB])}"},
        )
        assert closed.status_code == 200, closed.text
        results = (await client.get(f"/v1/pb/rounds/{budget_round.id}/results")).json()
        assert [(p["proposal_id"], p["votes"], p["funded"]) for p in results["projects"]] == [
            (planters.id, 4, True),
            (pitch.id, 1, False),  # 900,000 no longer fits the 550,000 left
        ]
        assert (await vote(f"res-eager-{unique}", [pitch.id])).status_code == 409  # closed: no vote changes

    [results_mail] = await wait_until(lambda: _mail(smtp_server, email, "The results of"), timeout_s=60)
    assert "5 residents voted" in results_mail.get_content()

    await use_cases.pb_projects.progress(staff, planters.id, "The planters are ordered.", False)
    await use_cases.pb_projects.progress(staff, planters.id, "Planted with the residents' group.", True)
    issues_app = create_app(ISSUES, issues.settings, context=issues)
    async with (
        LifespanManager(issues_app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://issues.test") as client,
    ):

        async def shown() -> list | None:
            page = (await client.get(f"/v1/hubs/{HUB}/you-said-we-did/funded-projects")).json()["items"]
            return [p for p in page if p["round_id"] == budget_round.id] or None

        [project] = await wait_until(shown, timeout_s=60)
        assert project["id"] == planters.id and project["project"] == "Planters on the square"
        assert project["we_did"] == "Planted with the residents' group." and project["you_said"] == title
        assert project["votes"] == 4 and project["cost"] == 450_000
    assert len(smtp_server.to(email)) == 2  # voting opened, the results: each once


async def test_a_resident_signs_in_by_an_emailed_link_as_the_same_voter_twice_and_votes_once(
    service_context, kafka, background, wait_until, smtp_server, unique
):
    """Participation API → outbox → hub.contacts → notifications → issuer → SMTP: the link's token is the
    resident the address stands for, the same on a second request (another device, other letter case),
    and it votes; a second ballot from the other link replaces the first instead of counting twice."""
    import re

    from hub_testkit.tokens import decode as decode_token

    participation = await service_context(PARTICIPATION)
    notifications = await service_context(NOTIFICATIONS, smtp_port=smtp_server.port)
    await kafka.skip_history(notifications.settings.consumer_group, list(NOTIFICATIONS.consumes))
    background(participation.run_worker)
    background(notifications.run_worker)
    budget_round, ids = await round_in_voting(participation.components.use_cases, HUB, unique)
    address = f"ann-{unique}@example.org"

    app = create_app(PARTICIPATION, participation.settings, context=participation)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://participation.test"
        ) as client,
    ):
        tokens = []
        for n, written in enumerate((address, address.upper())):
            body = {"email": written, "return_to": f"/budgeting/{budget_round.id}", "hub_id": HUB}
            asked = await client.post("/v1/sign-in-links", json=body)
            assert asked.status_code == 202, asked.text
            mails = await wait_until(
                lambda n=n: _now([m for m in smtp_server.to(address) if m["Subject"] == "Your link to sign in"], n + 1),
                timeout_s=60,
            )
            link = re.search(
                rf"/sign-in/email/done\?next=/budgeting/{budget_round.id}&token=(\S+)", mails[-1].get_content()
            )
            assert link, mails[-1].get_content()
            tokens.append(link.group(1))
        first, second = (decode_token(t) for t in tokens)
        assert first.sub == second.sub and is_email_resident(first.sub) and first.role == "resident"
        assert unique not in first.sub  # the sub names no one

        url = f"/v1/pb/rounds/{budget_round.id}/ballot"
        cast = await client.put(url, json={"choices": [ids[0]]}, headers={"Authorization": f"Bearer {tokens[0]}"})
        assert cast.status_code == 201, cast.text
        again = await client.put(url, json={"choices": [ids[1]]}, headers={"Authorization": f"Bearer {tokens[1]}"})
        assert again.status_code == 200, again.text  # the same voter: replaced, not counted twice
        assert await participation.db["pb_ballots"].count_documents({"round_id": budget_round.id}) == 1
        # A browser's pseudonymous resident is refused, and nothing is stored.
        pseudonymous = {"Authorization": f"Bearer {issue_token(sub=f'web-{unique}', role='resident')}"}
        assert (await client.put(url, json={"choices": [ids[0]]}, headers=pseudonymous)).status_code == 403
        assert await participation.db["pb_ballots"].count_documents({"round_id": budget_round.id}) == 1


async def _now(value: list, at_least: int) -> list | None:
    return value if len(value) >= at_least else None


async def _mail(smtp_server, address: str, subject_has: str) -> list:
    return [m for m in smtp_server.to(address) if subject_has in m["Subject"]]


async def test_a_librarys_paper_ballots_arrive_on_the_inbound_topic_and_the_invalid_go_to_the_dlt(
    service_context, kafka, background, wait_until, unique
):
    """Through the real broker and consumer: a partner's ballot counts once (a resend changes nothing);
    one over the budget, one from a partner not granted the type and one after voting closed are
    dead-lettered with the reason."""
    participation = await service_context(PARTICIPATION)
    use_cases = participation.components.use_cases
    hub, library = f"hub-{unique}", f"library-{unique}"
    await grant_partner(participation.db, library, hubs=[hub], publishes=[PartnerBallotSubmitted.event_type])
    await grant_partner(participation.db, f"phone-{unique}", hubs=[hub], publishes=[])
    budget_round, projects = await round_in_voting(use_cases, hub, unique)
    await kafka.skip_history(participation.settings.consumer_group, list(PARTICIPATION.consumes))

    def paper(n: int, person: str, choices: list[str], source: str = f"/partners/{library}"):
        ref = f"paper-{n}-{unique}"
        data = {"partner_ref": ref, "hub_id": hub, "round_id": budget_round.id, "person_ref": person}
        # One key for the station: its ballots stay in order on one partition, so a dead letter comes
        # after every ballot before it was applied.
        topic, event_type = inbound_topic("participation"), PartnerBallotSubmitted.event_type
        return cloud_event(topic, event_type, source, "station-1", {**data, "choices": choices})

    async def dead_letters(*numbers: int) -> dict[str, str]:
        wanted = {f"paper-{n}-{unique}" for n in numbers}
        dead = await kafka.collect(dlt_topic("participation"), lambda r: ref_of(r) in wanted, count=len(wanted))
        return {ref_of(r): dict(r.headers)["hub_dlt_error"].decode() for r in dead}

    def ref_of(record) -> str | None:  # other tests' dead letters need not be JSON objects
        with contextlib.suppress(ValueError, AttributeError):
            return json.loads(record.value).get("partner_ref")
        return None

    await kafka.produce_all(
        [
            paper(1, "reader-1", [projects[0]]),
            paper(1, "reader-1", [projects[0]]),  # sent twice (a new event id)
            paper(2, "reader-2", projects),  # every project: £11,000 of a £10,000 budget
            paper(3, "reader-3", [projects[1]], source=f"/partners/phone-{unique}"),
        ]
    )
    background(participation.run_worker)

    errors = await dead_letters(2, 3)
    assert "more than the budget" in errors[f"paper-2-{unique}"]
    assert f"not granted {PartnerBallotSubmitted.event_type!r}" in errors[f"paper-3-{unique}"]
    counted = await use_cases.pb_rounds.get(None, budget_round.id)  # paper-1 and its copy came before
    assert counted.ballots == 1 and await participation.db["pb_ballots"].count_documents({"round_id": counted.id}) == 1

    await use_cases.pb_results.close(Principal(sub=f"staff-{unique}", role="staff", hubs=(hub,)), budget_round.id)
    await kafka.produce_all([paper(4, "reader-1", [projects[1]])])  # a late change of mind
    assert "voting is not open" in (await dead_letters(4))[f"paper-4-{unique}"]
    results = await use_cases.pb_results.results(budget_round.id)
    assert [(p.proposal_id, p.votes) for p in results.projects if p.votes] == [(projects[0], 1)]

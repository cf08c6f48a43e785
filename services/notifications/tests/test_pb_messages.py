"""Participatory budgeting (hub.participation.events): those who sent a proposal to a round hear that
voting has opened and what the results are; no one else, and no one twice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from test_message_delivery import setup, setup_contact

from hub_common.contracts import contract_for
from hub_common.envelope import Envelope

HUB = "hub-northfield"
TITLE = "Northfield's £10,000"


def pb_event(event_type: str, **data) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        source="/hub/participation",
        type=event_type,
        time=datetime.now(UTC),
        subject="pb-1",
        hub_id=HUB,
        data=contract_for(event_type).model.model_validate({"round_id": "pb-1", "hub_id": HUB, **data}),
    )


async def test_proposers_hear_that_voting_opened_and_the_results(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "proposer")
    await setup_contact(ctx, service, "bystander")

    async def plan(event: Envelope) -> None:
        await ctx.uow.run(lambda tx: service.planning.plan(event, tx))

    now = datetime.now(UTC)
    for n in range(2):  # two proposals by one person: told once
        submitted = {"title": f"Planters {n}", "estimated_cost": 120_000, "proposer_id": "proposer"}
        await plan(
            pb_event("hub.participation.pb_proposal.submitted.v1", proposal_id=f"p{n}", **submitted, submitted_at=now)
        )
    opened = {"title": TITLE, "budget": 1_000_000, "method": "allocation", "projects": 3}
    await plan(
        pb_event(
            "hub.participation.pb_round.voting_opened.v1", **opened, opens_at=now, closes_at=now + timedelta(days=14)
        )
    )
    results = {"title": TITLE, "method": "allocation", "budget": 1_000_000, "ballots": 212, "funded_total": 750_000}
    await plan(pb_event("hub.participation.pb_round.results_published.v1", **results, projects=[], closed_at=now))
    await service.delivery.deliver_due()

    mails = smtp_server.to("proposer@example.org")
    assert sorted(m["Subject"] for m in mails) == [f"The results of {TITLE}", f"Voting is open: {TITLE}"]
    [opened_mail] = [m for m in mails if m["Subject"].startswith("Voting is open")]
    assert "3 projects are on the ballot" in opened_mail.get_content()
    [results_mail] = [m for m in mails if m["Subject"].startswith("The results")]
    assert "212 residents voted" in results_mail.get_content()
    assert not smtp_server.to("bystander@example.org")

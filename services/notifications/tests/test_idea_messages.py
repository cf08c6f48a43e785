"""Ideas (hub.participation.events): the proposer hears their idea reached its threshold and the hub's
staff are alerted; everyone following the idea hears its answer and the progress of its action."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from test_message_delivery import setup, setup_contact

from hub_common.auth import Principal
from hub_common.contracts import contract_for
from hub_common.envelope import Envelope

HUB = "hub-northfield"
TITLE = "Plant fruit trees on Green Lane"


def idea_event(event_type: str, **data) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        source="/hub/participation",
        type=event_type,
        time=datetime.now(UTC),
        subject="idea-1",
        hub_id=HUB,
        data=contract_for(event_type).model.model_validate({"idea_id": "idea-1", "hub_id": HUB, **data}),
    )


async def test_threshold_answer_and_progress_reach_the_proposer_followers_and_staff(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "proposer")
    await setup_contact(ctx, service, "follower")
    await setup_contact(ctx, service, "supporter-only")
    await service.rules.join_staff_alerts(Principal("staff-1", "staff", (HUB,)), HUB, "Nadia", "nadia@council.example")

    async def plan(event: Envelope) -> None:
        await ctx.uow.run(lambda tx: service.planning.plan(event, tx))

    now = datetime.now(UTC)
    for person in ("proposer", "follower"):
        await plan(idea_event("hub.participation.idea.followed.v1", follower_id=person, followed_at=now))
    reached = {"title": TITLE, "proposer_id": "proposer", "support_count": 10, "support_threshold": 10}
    await plan(idea_event("hub.participation.idea.threshold_reached.v1", **reached, reached_at=now))
    answer = "Yes: six trees this winter with the residents' group."
    responded = {"title": TITLE, "proposer_id": "proposer", "outcome": "accepted", "response": answer}
    await plan(idea_event("hub.participation.idea.responded.v1", **responded, support_count=10, responded_at=now))
    progress = {"title": TITLE, "note": "Planting day is 6 December.", "done": False, "published_at": now}
    await plan(idea_event("hub.participation.action.progress_published.v1", **progress))
    await service.delivery.deliver_due()

    [reached_mail] = [m for m in smtp_server.to("proposer@example.org") if "support it needed" in m["Subject"]]
    assert TITLE in reached_mail["Subject"] and "10 supporters" in reached_mail.get_content()
    [alert] = smtp_server.to("nadia@council.example")
    assert alert["Subject"] == f"An idea is waiting for your answer: {TITLE}"
    for person in ("proposer", "follower"):
        [answered] = [m for m in smtp_server.to(f"{person}@example.org") if "has answered" in m["Subject"]]
        assert "it is accepted" in answered.get_content() and answer in answered.get_content(), person
        assert [m for m in smtp_server.to(f"{person}@example.org") if m["Subject"] == f"Progress on {TITLE}"]
    assert smtp_server.to("follower@example.org") and not smtp_server.to("supporter-only@example.org")
    assert not [m for m in smtp_server.to("follower@example.org") if "support it needed" in m["Subject"]]


async def test_a_councillors_comment_reaches_the_ideas_followers_by_email_and_in_the_app(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "proposer")
    await setup_contact(ctx, service, "supporter-only")

    async def plan(event: Envelope) -> None:
        await ctx.uow.run(lambda tx: service.planning.plan(event, tx))

    now = datetime.now(UTC)
    await plan(idea_event("hub.participation.idea.followed.v1", follower_id="proposer", followed_at=now))
    said = "I back this and will raise it at the ward meeting."
    commented = {"title": TITLE, "comment_id": "cc-1", "comment": said, "councillor_name": "Cathy Moss"}
    event = idea_event(
        "hub.participation.idea.councillor_commented.v1", **commented, councillor_id="cllr-1", commented_at=now
    )
    await plan(event)
    await plan(event)  # a redelivery plans nothing twice
    await service.delivery.deliver_due()

    [mail] = smtp_server.to("proposer@example.org")
    assert mail["Subject"] == f"A councillor has commented on {TITLE}"
    assert "Councillor Cathy Moss has commented" in mail.get_content() and said in mail.get_content()
    inapp = await ctx.db["messages"].find({"person_id": "proposer", "channel": "inapp"}).to_list()
    assert [m["message_type"] for m in inapp] == ["idea_councillor_comment"]
    assert not smtp_server.to("supporter-only@example.org")

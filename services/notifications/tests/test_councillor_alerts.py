"""Ward councillors' alerts: a councillor who asked for a hub's alerts hears of every new idea of it,
and of forum minutes that agreed actions, by email and in the app as their preferences say; the hub's
staff alerts and other hubs' councillors are untouched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from test_forum_messages import forum_event
from test_idea_messages import HUB, TITLE, idea_event
from test_message_delivery import setup

from hub_common.auth import Principal
from hub_common.envelope import Envelope
from hub_notifications.adapters.messages import MESSAGES

CATHY = Principal("cllr-cathy", "councillor", (HUB,))
DEV = Principal("cllr-dev", "councillor", ("hub-riverside",))


def proposed() -> Envelope:
    return idea_event(
        "hub.participation.idea.proposed.v1",
        title=TITLE,
        proposer_id="res-1",
        support_threshold=10,
        proposed_at=datetime.now(UTC),
    )


def minutes(actions: list[dict]) -> Envelope:
    starts = datetime.now(UTC) - timedelta(days=1)
    return forum_event(
        "hub.participation.meeting.minutes_published.v1",
        starts,
        minutes="We agreed two things.",
        actions=actions,
        registrant_ids=[],
        published_at=datetime.now(UTC),
    )


async def test_a_councillor_hears_of_new_ideas_and_forum_actions_in_their_hub(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "res-1")
    await service.rules.join_councillor_alerts(CATHY, HUB, "Cathy Moss", "cathy.moss@council.example")
    await service.rules.join_councillor_alerts(DEV, "hub-riverside", "Dev Anand", "dev.anand@council.example")
    await service.rules.join_staff_alerts(Principal("staff-1", "staff", (HUB,)), HUB, "Nadia", "nadia@council.example")

    async def plan(event: Envelope) -> None:
        await ctx.uow.run(lambda tx: service.planning.plan(event, tx))

    idea = proposed()
    await plan(idea)
    await plan(idea)  # redelivered: nothing twice
    action = {
        "action_id": "a-1",
        "title": "Fix the bus shelter light",
        "owner": "Highways team",
        "due_on": "2027-01-01",
    }
    await plan(minutes([action]))
    await plan(minutes([]))  # minutes without actions: no alert
    await service.delivery.deliver_due()

    mails = smtp_server.to("cathy.moss@council.example")
    assert sorted(m["Subject"] for m in mails) == [
        "A new idea in your ward: " + TITLE,
        "Actions agreed at Northfield residents' forum",
    ]
    [idea_mail] = [m for m in mails if "new idea" in m["Subject"]]
    assert "Hello Cathy Moss" in idea_mail.get_content() and "/ideas/idea-1" in idea_mail.get_content()
    [actions_mail] = [m for m in mails if "Actions agreed" in m["Subject"]]
    assert "/meetings/meeting-1" in actions_mail.get_content()
    inapp = await ctx.db[MESSAGES].find({"person_id": "cllr-cathy", "channel": "inapp"}).to_list()
    assert sorted(m["message_type"] for m in inapp) == ["forum_actions_councillor_alert", "idea_councillor_alert"]
    assert not smtp_server.to("dev.anand@council.example")  # another hub's councillor
    assert not smtp_server.to("nadia@council.example")  # staff get their own alerts, not these
    assert not [m for m in smtp_server.to("res-1@example.org") if "ward" in m["Subject"]]


async def test_a_councillor_opted_out_of_email_gets_the_alerts_in_the_app_only(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "res-1")
    await service.rules.join_councillor_alerts(CATHY, HUB, "Cathy Moss", "cathy.moss@council.example")
    await service.preferences.save("cllr-cathy", {"opt_outs": ["councillor_alerts:email"]}, None)

    await ctx.uow.run(lambda tx: service.planning.plan(proposed(), tx))
    await service.delivery.deliver_due()

    assert not smtp_server.to("cathy.moss@council.example")
    statuses = {d["channel"]: d["status"] async for d in ctx.db[MESSAGES].find({"person_id": "cllr-cathy"})}
    assert statuses["inapp"] == "delivered" and statuses["email"] != "delivered"


async def test_a_councillor_who_left_the_alerts_hears_nothing_more(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "res-1")
    await service.rules.join_councillor_alerts(CATHY, HUB, "Cathy Moss", "cathy.moss@council.example")
    await service.rules.leave_councillor_alerts(CATHY, HUB)

    await ctx.uow.run(lambda tx: service.planning.plan(proposed(), tx))

    assert await ctx.db[MESSAGES].count_documents({"person_id": "cllr-cathy"}) == 0

"""The demo data `make run` loads: a partner webhook that really delivers, staff alerts, an edited template."""

from __future__ import annotations

from notifications_testkit import issue_reported
from standardwebhooks.webhooks import Webhook

from hub_notifications.__main__ import DEFINITION
from hub_notifications.demo import (
    DEMO_STAFF,
    DEMO_SUBSCRIPTION_ID,
    FIXED_EMAIL,
    demo_councillors,
    demo_webhook_secret,
)


async def test_demo_data_is_written_once_and_its_partner_webhook_delivers_verifiably(
    service_context, http_receiver
) -> None:
    with http_receiver() as endpoint:
        ctx = await service_context(DEFINITION, webhook_allow_private=True, demo_webhook_url=endpoint.url)
        await DEFINITION.seed_demo_data(ctx)
        await DEFINITION.seed_demo_data(ctx)  # a restart (or a second replica) adds nothing

        subscriptions = await ctx.components.use_cases.webhooks.subscriptions.collection.find({}).to_list()
        assert [s["_id"] for s in subscriptions] == [DEMO_SUBSCRIPTION_ID]
        service = ctx.components.use_cases
        for hub_id, (person_id, _name, email) in DEMO_STAFF.items():
            assert await service.rules.hub_staff.of_hub(hub_id) == [person_id]
            assert (await service.contacts.contacts.get(person_id)).email == email
        for hub_id, (person_id, _name, email) in demo_councillors().items():  # each ward's councillor
            assert await service.rules.hub_staff.of_hub(hub_id, audience="councillor") == [person_id]
            assert (await service.contacts.contacts.get(person_id)).email == email
        template = await service.templates.get(FIXED_EMAIL.message_type, FIXED_EMAIL.channel, FIXED_EMAIL.language)
        assert template.version == 1 and template.body == FIXED_EMAIL.body

        # Riverside Housing hears about Riverside's reports only, signed with the derived secret.
        webhooks = ctx.components.use_cases.webhooks
        for issue_id, hub_id in (("I-R1", "hub-riverside"), ("I-N1", "hub-northfield")):
            event = issue_reported(issue_id, hub_id=hub_id)
            await ctx.uow.run(lambda tx, event=event: webhooks.plan(event, tx))
        assert await webhooks.deliver_due() == 1
        [(headers, body)] = endpoint.requests
        secret = demo_webhook_secret()
        assert Webhook(secret).verify(body, headers)["data"]["issue_id"] == "I-R1"


async def test_replicas_starting_together_on_a_fresh_database_both_seed_without_failing(
    service_context, monkeypatch
) -> None:
    # compose runs two notifications workers, and both seed at start: make the other replica save
    # the template between this one's reading it (still the default) and saving it.
    ctx = await service_context(DEFINITION)
    templates = ctx.components.use_cases.templates
    read = templates.get

    async def read_then_the_other_replica_seeds(*key: str):
        found = await read(*key)
        monkeypatch.setattr(templates, "get", read)
        await DEFINITION.seed_demo_data(ctx)
        return found

    monkeypatch.setattr(templates, "get", read_then_the_other_replica_seeds)
    await DEFINITION.seed_demo_data(ctx)

    template = await templates.get(FIXED_EMAIL.message_type, FIXED_EMAIL.channel, FIXED_EMAIL.language)
    assert template.version == 1 and template.body == FIXED_EMAIL.body

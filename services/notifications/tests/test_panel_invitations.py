"""A hub's citizens' panel (hub.participation.events): the residents who joined it are asked to take a
survey its staff opened with the panel invited; not when the panel is not invited, not after they
left, not another hub's panel, and each once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from test_message_delivery import setup, setup_contact

from hub_common.contracts import contract_for
from hub_common.envelope import Envelope

HUB, OTHER = "hub-northfield", "hub-riverside"


def event(event_type: str, hub_id: str = HUB, subject: str = "s-1", **data) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        source="/hub/participation",
        type=event_type,
        time=datetime.now(UTC),
        subject=subject,
        hub_id=hub_id,
        data=contract_for(event_type).model.model_validate({"hub_id": hub_id, **data}),
    )


def opened(survey_id: str, title: str, invited: bool, hub_id: str = HUB) -> Envelope:
    return event(
        "hub.participation.survey.opened.v1", hub_id, survey_id, survey_id=survey_id, title=title, questions=3,
        opened_at=datetime.now(UTC), panel_invited=invited,
    )  # fmt: skip


async def test_the_panel_is_asked_to_take_the_surveys_it_is_invited_to(service_context, smtp_server):
    ctx, service = await setup(service_context, smtp_server.port, "ann")
    for person in ("bob", "cat"):
        await setup_contact(ctx, service, person)

    async def plan(*events: Envelope) -> None:
        for e in events:
            await ctx.uow.run(lambda tx, e=e: service.planning.plan(e, tx))

    now = datetime.now(UTC)
    joined = event("hub.participation.panel.joined.v1", person_id="ann", joined_at=now)
    await plan(joined, joined)  # a repeated event: asked once all the same
    await plan(event("hub.participation.panel.joined.v1", person_id="bob", joined_at=now))
    await plan(event("hub.participation.panel.left.v1", person_id="bob", left_at=now))
    await plan(event("hub.participation.panel.joined.v1", OTHER, person_id="cat", joined_at=now))
    await plan(opened("s-1", "Our parks", invited=True), opened("s-2", "Bins", invited=False))
    await service.delivery.deliver_due()

    [mail] = smtp_server.to("ann@example.org")
    assert mail["Subject"] == "Have your say: Our parks"
    assert "citizens' panel" in mail.get_content() and "/surveys/s-1" in mail.get_content()
    assert not smtp_server.to("bob@example.org")  # left before it opened
    assert not smtp_server.to("cat@example.org")  # another hub's panel

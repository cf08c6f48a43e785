"""Partner registrations and hours from hub.volunteers.inbound: validated like the API, idempotent by reference."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from volunteers_testkit import World

from hub_common.consumer import PermanentError
from hub_common.contracts.volunteers import HoursSubmitted, RegistrationSubmitted
from hub_common.envelope import Envelope
from hub_common.uow import Transaction
from hub_testkit.partners import grant_partner

SOURCE = "/partners/leeds-volunteer-centre"


@pytest.fixture(autouse=True)
async def partner_in_the_registry(world: World) -> None:
    """The volunteer centre, granted this hub and both its inbound types (hub_common.partner_grants)."""
    types = [RegistrationSubmitted.event_type, HoursSubmitted.event_type]
    await grant_partner(world.api.db, "leeds-volunteer-centre", hubs=[world.hub], publishes=types)


def envelope(data) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        source=SOURCE,
        type=data.event_type,
        time=datetime.now(UTC),
        subject=data.partner_ref,
        data=data,
    )


def registration(world: World, ref: str, **overrides) -> RegistrationSubmitted:
    values = {
        "partner_ref": ref,
        "hub_id": world.hub,
        "name": "Kai Partner",
        "date_of_birth": date(1992, 2, 2),
        "consent": {"data_processing": True, "wording_version": "lvc-3", "given_at": datetime.now(UTC)},
        "availability": [{"day": "sat", "start": "09:00", "end": "12:00"}],
    }
    values.update(overrides)
    return RegistrationSubmitted.model_validate(values)


async def handle(world: World, data) -> None:
    table = world.api.ctx.components.handlers

    async def work(tx: Transaction) -> None:
        await table[data.event_type](envelope(data), tx)

    await world.api.ctx.uow.run(work)


async def test_partner_registration_is_ingested_once_per_reference(world: World) -> None:
    ref = f"LVC-{uuid.uuid4().hex[:6]}"
    data = registration(world, ref)
    await handle(world, data)
    await handle(world, data)  # redelivered with a new event id: still one volunteer

    docs = await world.api.db["volunteers"].find({"hub_id": world.hub}).to_list()
    assert len(docs) == 1
    assert docs[0]["registered_via"] == "partner" and docs[0]["partner_ref"] == f"{SOURCE}|{ref}"
    assert len(await world.outbox("hub.volunteers.volunteer.registered.v1", volunteer_id=docs[0]["_id"])) == 1
    assert docs[0]["email"] is None and docs[0]["phone"] is None  # the partner keeps contact details
    assert await world.outbox("hub.volunteers.contact.upserted.v1", person_id=docs[0]["_id"]) == []

    hours = HoursSubmitted(
        partner_ref=f"H-{ref}", hub_id=world.hub, volunteer_partner_ref=ref, hours=2.5, worked_on=date.today()
    )
    await handle(world, hours)
    await handle(world, hours)
    entries = await world.api.db["hours"].find({"volunteer_id": docs[0]["_id"]}).to_list()
    assert [(e["minutes"], e["source"], e["status"]) for e in entries] == [(150, "partner", "pending")]


async def test_partner_submissions_that_break_the_rules_are_dead_lettered_and_write_nothing(world: World) -> None:
    no_consent = registration(
        world, "LVC-x", consent={"data_processing": False, "wording_version": "v", "given_at": datetime.now(UTC)}
    )
    with pytest.raises(PermanentError, match="consent"):
        await handle(world, no_consent)
    with pytest.raises(PermanentError, match="guardian"):
        await handle(world, registration(world, "LVC-y", date_of_birth=date(2011, 1, 1)))
    with pytest.raises(PermanentError, match="skill"):
        await handle(world, registration(world, "LVC-z", skills=[{"skill_id": "no-such-skill"}]))
    with pytest.raises(PermanentError, match="availability"):
        await handle(
            world, registration(world, "LVC-w", availability=[{"day": "mon", "start": "25:00", "end": "26:00"}])
        )
    unknown = HoursSubmitted(
        partner_ref="H-1", hub_id=world.hub, volunteer_partner_ref="nobody", hours=1, worked_on=date.today()
    )
    with pytest.raises(PermanentError, match="no volunteer"):
        await handle(world, unknown)
    assert await world.api.db["volunteers"].count_documents({"hub_id": world.hub}) == 0
    assert await world.api.db["hours"].count_documents({"hub_id": world.hub}) == 0

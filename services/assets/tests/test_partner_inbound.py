"""Consumed events: partner directory updates (hub.assets.inbound) and volunteers who may borrow."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from assets_testkit import NORTH, Api, assert_problem

from hub_assets.handlers import handlers
from hub_common.consumer import PermanentError
from hub_common.contracts.assets import DirectoryEntrySubmitted
from hub_common.contracts.volunteers import (
    VolunteerApproved,
    VolunteerErased,
    VolunteerRegistered,
    VolunteerStatusChanged,
)
from hub_common.envelope import Envelope
from hub_common.partner_grants import PartnerGrantRepository
from hub_testkit.partners import grant_partner

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def partners_in_the_registry(api: Api) -> None:
    for partner in ("partner-a", "partner-b"):
        await grant_partner(api.db, partner, hubs=[NORTH], publishes=[DirectoryEntrySubmitted.event_type])


def submission(entry_id: str, partner: str = "partner-a", source: str | None = None, at=T0, **changes) -> Envelope:
    data = {
        "entry_id": entry_id,
        "partner_id": partner,
        "hub_id": NORTH,
        "kind": "organisation",
        "name": "Northfield Men's Shed",
        "tags": ["woodwork"],
        "opening_hours": [{"weekday": 2, "opens": "10:00", "closes": "15:00"}],
        "organisation": {"org_type": "community_group", "activities": ["woodwork", "repairs"]},
        **changes,
    }
    return Envelope(
        id=str(uuid.uuid4()),
        source=source or f"/partners/{partner}",
        type=DirectoryEntrySubmitted.event_type,
        time=at,
        subject=entry_id,
        data=DirectoryEntrySubmitted.model_validate(data),
    )


async def apply(api: Api, event: Envelope) -> None:
    handler = handlers(api.use_cases, PartnerGrantRepository(api.db))[DirectoryEntrySubmitted.event_type]
    await api.ctx.uow.run(lambda tx: handler(event, tx))


async def test_partner_creates_then_updates_its_entry_and_older_submissions_are_ignored(api: Api) -> None:
    entry = str(uuid.uuid4())
    await apply(api, submission(entry))
    await apply(api, submission(entry, at=T0 + timedelta(hours=2), name="Men's Shed Northfield"))
    await apply(api, submission(entry, at=T0 + timedelta(hours=1), name="An older name"))

    asset = (await api.client.get(f"/v1/assets/{entry}")).json()
    assert asset["name"] == "Men's Shed Northfield" and asset["owner_id"] == "partner-a"
    assert asset["opening_hours"][0]["opens"] == "10:00"
    assert [e["type"] for e in await api.events(subject=entry)] == [
        "hub.assets.asset.registered.v1",
        "hub.assets.asset.updated.v1",
    ]
    search = await api.client.get("/v1/assets", params={"q": "woodwork"})
    assert [a["id"] for a in search.json()["items"]] == [entry]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (lambda e: submission(e, partner="partner-b", at=T0 + timedelta(hours=1)), "not kept by partner"),
        (lambda e: submission(e, source="/partners/partner-b", at=T0 + timedelta(hours=1)), "may not submit"),
        (lambda e: submission(e, at=T0 + timedelta(hours=1), organisation={"org_type": "spaceship"}), "not valid"),
    ],
)
async def test_other_partners_and_invalid_entries_are_dead_lettered_without_changes(api: Api, event, message) -> None:
    entry = str(uuid.uuid4())
    await apply(api, submission(entry))

    with pytest.raises(PermanentError, match=message):
        await apply(api, event(entry))

    assert (await api.client.get(f"/v1/assets/{entry}")).json()["version"] == 1
    assert len(await api.events(subject=entry)) == 1


async def test_a_partner_cannot_take_over_a_staff_entry(api: Api) -> None:
    staff_entry = await api.create({"kind": "organisation", "hub_id": NORTH, "name": "Food Bank"})

    with pytest.raises(PermanentError, match="not kept by partner"):
        await apply(api, submission(staff_entry["id"], name="Hijacked"))

    assert (await api.client.get(f"/v1/assets/{staff_entry['id']}")).json()["name"] == "Food Bank"


# --- volunteers known from hub.volunteers.events ------------------------------------------------


def volunteer_event(event_cls, at, **data) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        source="/hub/volunteers",
        type=event_cls.event_type,
        time=at,
        subject=data["volunteer_id"],
        data=event_cls.model_validate({"hub_id": NORTH, **data}),
    )


async def test_only_approved_or_active_volunteers_borrow_as_volunteers(api: Api) -> None:
    table = handlers(api.use_cases, PartnerGrantRepository(api.db))

    async def deliver(event: Envelope) -> None:
        await api.ctx.uow.run(lambda tx: table[event.type](event, tx))

    await deliver(volunteer_event(VolunteerRegistered, T0, volunteer_id="v-1", registered_at=T0))
    kit = (await api.create({"kind": "equipment", "hub_id": NORTH, "name": "Kit", "equipment": {"quantity": 5}}))["id"]
    start = datetime.now(UTC) + timedelta(days=1)
    body = {
        "borrower_kind": "volunteer",
        "borrower_id": "v-1",
        "starts_at": start.isoformat(),
        "due_at": (start + timedelta(days=1)).isoformat(),
    }

    applicant = await api.client.post(f"/v1/equipment/{kit}/loans", json=body, headers=api.staff)
    await deliver(
        volunteer_event(
            VolunteerApproved, T0 + timedelta(hours=1), volunteer_id="v-1", approved_at=T0 + timedelta(hours=1)
        )
    )
    await deliver(
        volunteer_event(
            VolunteerStatusChanged,
            T0 + timedelta(minutes=30),
            volunteer_id="v-1",
            from_status="applicant",
            to_status="inactive",
            changed_at=T0,
        )
    )  # older: ignored
    approved = await api.client.post(f"/v1/equipment/{kit}/loans", json=body, headers=api.staff)
    await deliver(
        volunteer_event(VolunteerErased, T0 + timedelta(hours=2), volunteer_id="v-1", erased_at=T0 + timedelta(hours=2))
    )
    erased = await api.client.post(f"/v1/equipment/{kit}/loans", json=body, headers=api.staff)
    stranger = await api.client.post(
        f"/v1/equipment/{kit}/loans", json={**body, "borrower_id": "v-9"}, headers=api.staff
    )

    assert "status applicant" in assert_problem(applicant, 422, "rule-violated")["detail"]
    assert approved.status_code == 201, approved.text
    assert "status erased" in assert_problem(erased, 422)["detail"]
    assert "known to this hub" in assert_problem(stranger, 422)["detail"]

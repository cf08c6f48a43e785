"""The worker's expiry warnings: one event per accreditation, ahead of time, never twice."""

from __future__ import annotations

from datetime import date, timedelta

from volunteers_testkit import World

EXPIRING = "hub.volunteers.accreditation.expiring.v1"


async def test_accreditations_expiring_soon_raise_one_event_each(world: World) -> None:
    volunteer, _ = await world.register()
    vid = volunteer["id"]
    today = date.today()
    for name, expires in (("First Aid", today + timedelta(days=10)), ("Minibus", today + timedelta(days=200))):
        body = {"name": name, "issuer": "St John", "issued_on": "2025-01-01", "expires_on": expires.isoformat()}
        r = await world.api.client.post(f"/v1/volunteers/{vid}/accreditations", json=body, headers=world.staff)
        assert r.status_code == 201, r.text
    service = world.api.use_cases.reminders

    assert await service.warn_expiring_accreditations(today) >= 1
    await service.warn_expiring_accreditations(today)  # a second run (or a second worker) raises nothing new

    events = await world.outbox(EXPIRING, volunteer_id=vid)
    assert [e["data"]["name"] for e in events] == ["First Aid"]
    assert events[0]["data"]["expires_on"] == (today + timedelta(days=10)).isoformat()
    # The later one is raised once it comes within the warning window.
    await service.warn_expiring_accreditations(today + timedelta(days=180))
    assert sorted(e["data"]["name"] for e in await world.outbox(EXPIRING, volunteer_id=vid)) == ["First Aid", "Minibus"]


async def test_background_checks_due_for_renewal_raise_one_event_each(world: World) -> None:
    volunteer, _ = await world.register()
    vid = volunteer["id"]
    today = date.today()
    due = {"level": "enhanced", "certificate_ref": "DBS-9", "issued_on": "2024-01-01"}
    for renewal in (today + timedelta(days=20), today + timedelta(days=400)):
        r = await world.api.client.post(
            f"/v1/volunteers/{vid}/checks", json={**due, "renewal_due": renewal.isoformat()}, headers=world.staff
        )
        assert r.status_code == 201, r.text
    [task] = [t for t in world.api.ctx.components.periodic if t.name == "expiry-warnings"]
    assert task.name == "expiry-warnings" and task.interval_s == 3600.0

    await task.run()
    await task.run()

    [event] = await world.outbox("hub.volunteers.check.renewal_due.v1", volunteer_id=vid)
    assert event["data"]["level"] == "enhanced"
    assert event["data"]["renewal_due"] == (today + timedelta(days=20)).isoformat()

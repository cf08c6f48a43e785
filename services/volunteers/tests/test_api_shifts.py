"""Shifts, sign-ups under concurrency, waitlist promotion, attendance, hours, milestones and awards."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from volunteers_testkit import World, replicas

from hub_testkit.service_api import assert_problem


async def test_fifty_simultaneous_signups_to_five_places_confirm_exactly_five(world: World) -> None:
    shift = await world.shift(capacity=5)
    volunteer_ids = await world.many_active_volunteers(50)

    # Five API replicas, as in production: sign-ups race across them in separate transactions.
    async with replicas(world.api, 5) as clients:

        async def sign_up(i: int, vid: str):
            return await clients[i % len(clients)].post(
                f"/v1/shifts/{shift['id']}/signups", json={"volunteer_id": vid}, headers=world.staff
            )

        responses = await asyncio.gather(*(sign_up(i, vid) for i, vid in enumerate(volunteer_ids)))

    assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201][:3]
    assert Counter(r.json()["status"] for r in responses) == {"confirmed": 5, "waitlisted": 45}
    stored = await world.api.client.get(f"/v1/shifts/{shift['id']}")
    assert (stored.json()["confirmed"], stored.json()["waitlisted"]) == (5, 45)
    signups = world.api.db["signups"]
    assert await signups.count_documents({"shift_id": shift["id"], "status": "confirmed"}) == 5
    assert await signups.count_documents({"shift_id": shift["id"], "status": "waitlisted"}) == 45
    assert len(await world.outbox("hub.volunteers.signup.confirmed.v1", shift_id=shift["id"])) == 5
    positions = sorted(
        e["data"]["position"] for e in await world.outbox("hub.volunteers.signup.waitlisted.v1", shift_id=shift["id"])
    )
    assert positions == list(range(1, 46))


async def test_cancellation_promotes_the_first_on_the_waitlist(world: World) -> None:
    shift = await world.shift(capacity=1)
    path = f"/v1/shifts/{shift['id']}/signups"
    (a, a_auth), (b, b_auth), (_c, c_auth) = [await world.active_volunteer() for _ in range(3)]
    assert (await world.api.client.post(path, headers=a_auth)).json()["status"] == "confirmed"
    assert (await world.api.client.post(path, headers=b_auth)).json()["status"] == "waitlisted"
    assert (await world.api.client.post(path, headers=c_auth)).json()["status"] == "waitlisted"
    assert_problem(await world.api.client.post(path, headers=a_auth), 409)  # already signed up

    # Someone else cannot cancel a's place.
    assert_problem(await world.api.client.post(f"{path}/{a['id']}/cancel", headers=b_auth), 403)
    cancelled = await world.api.client.post(f"{path}/{a['id']}/cancel", headers=a_auth)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

    roster = await world.api.client.get(f"{path}?status=confirmed", headers=world.staff)
    assert [s["volunteer_id"] for s in roster.json()["items"]] == [b["id"]]
    assert roster.json()["items"][0]["name"] == b["name"]  # staff running the shift see names
    assert_problem(await world.api.client.get(f"{path}?status=confirmed", headers=b_auth), 403)
    [promoted] = await world.outbox("hub.volunteers.signup.promoted.v1", shift_id=shift["id"])
    assert promoted["data"]["volunteer_id"] == b["id"]
    counts = (await world.api.client.get(f"/v1/shifts/{shift['id']}")).json()
    assert (counts["confirmed"], counts["waitlisted"]) == (1, 1)

    # Raising capacity promotes the rest.
    grown = await world.api.client.patch(f"/v1/shifts/{shift['id']}", json={"capacity": 3}, headers=world.staff)
    assert grown.status_code == 200, grown.text
    assert (grown.json()["confirmed"], grown.json()["waitlisted"]) == (2, 0)
    cut = await world.api.client.patch(f"/v1/shifts/{shift['id']}", json={"capacity": 1}, headers=world.staff)
    assert_problem(cut, 409)


async def test_requirements_are_checked_at_signup(world: World) -> None:
    shift = await world.shift(capacity=3, open_to_under_18=False, checks_needed="enhanced")
    path = f"/v1/shifts/{shift['id']}/signups"
    guardian = {"name": "Pat Parent", "relationship": "parent", "phone": "+44 7700 900111", "consent": True}
    _teen, teen_auth = await world.active_volunteer(date_of_birth="2010-01-01", guardian=guardian)
    refused = assert_problem(await world.api.client.post(path, headers=teen_auth), 409)
    assert [u["code"] for u in refused["unmet"]] == ["age"]

    _applicant, applicant_auth = await world.register()
    refused = assert_problem(await world.api.client.post(path, headers=applicant_auth), 409)
    assert {u["code"] for u in refused["unmet"]} == {"status", "check"}

    unregistered = world.api.auth("resident")
    assert_problem(await world.api.client.post(path, headers=unregistered), 404)
    adult, adult_auth = await world.active_volunteer()
    assert (await world.api.client.post(path, headers=adult_auth)).json()["status"] == "confirmed"
    # Staff of another hub cannot sign people up here.
    other_staff = world.api.auth("staff", hubs=("hub-other",))
    assert_problem(await world.api.client.post(path, json={"volunteer_id": adult["id"]}, headers=other_staff), 403)


async def test_shift_needs_a_published_role_valid_times_and_one_place(world: World) -> None:
    role = await world.published_role()
    start = datetime.now(UTC) + timedelta(days=1)
    base = {
        "role_id": role["id"],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 2,
    }
    assert_problem(await world.api.client.post("/v1/shifts", json=base, headers=world.staff), 422)  # no place
    assert_problem(
        await world.api.client.post("/v1/shifts", json={**base, "venue_id": "room-unknown"}, headers=world.staff), 422
    )
    backwards = {**base, "address": "x", "ends_at": (start - timedelta(hours=1)).isoformat()}
    assert_problem(await world.api.client.post("/v1/shifts", json=backwards, headers=world.staff), 422)
    assert_problem(
        await world.api.client.post("/v1/shifts", json={**base, "address": "x"}, headers=world.api.auth("resident")),
        403,
    )

    # A room known from the assets events is a valid venue.
    await world.api.db["venues"].insert_one(
        {"_id": f"room-{world.hub}", "hub_id": world.hub, "kind": "room", "name": "Main hall", "status": "active"}
    )
    r = await world.api.client.post("/v1/shifts", json={**base, "venue_id": f"room-{world.hub}"}, headers=world.staff)
    assert r.status_code == 201, r.text
    [published] = await world.outbox("hub.volunteers.shift.published.v1", shift_id=r.json()["id"])
    assert published["data"]["venue_id"] == f"room-{world.hub}"
    listed = await world.api.client.get(f"/v1/shifts?hub_id={world.hub}")
    assert [s["id"] for s in listed.json()["items"]] == [r.json()["id"]]


async def test_cancelling_a_shift_tells_everyone_signed_up(world: World) -> None:
    shift = await world.shift(capacity=1)
    (a, a_auth), (b, b_auth) = [await world.active_volunteer() for _ in range(2)]
    for auth in (a_auth, b_auth):
        await world.api.client.post(f"/v1/shifts/{shift['id']}/signups", headers=auth)
    r = await world.api.client.post(f"/v1/shifts/{shift['id']}/cancel", json={"reason": "storm"}, headers=world.staff)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    [event] = await world.outbox("hub.volunteers.shift.cancelled.v1", shift_id=shift["id"])
    assert sorted(event["data"]["volunteer_ids"]) == sorted([a["id"], b["id"]])
    assert_problem(await world.api.client.post(f"/v1/shifts/{shift['id']}/signups", headers=a_auth), 409)


async def test_attendance_produces_hours_that_staff_approve_into_milestones(world: World) -> None:
    shift = await world.shift(capacity=2)
    volunteer, own = await world.active_volunteer()
    vid = volunteer["id"]
    base = f"/v1/shifts/{shift['id']}/signups"
    await world.api.client.post(base, headers=own)
    assert_problem(await world.api.client.post(f"{base}/{vid}/check-in", headers=own), 409)  # days before the shift
    # The shift took place earlier today (staff correct the times afterwards).
    arrived = datetime.now(UTC) - timedelta(hours=11)
    moved = {"starts_at": arrived.isoformat(), "ends_at": (arrived + timedelta(hours=10, minutes=30)).isoformat()}
    r = await world.api.client.patch(f"/v1/shifts/{shift['id']}", json=moved, headers=world.staff)
    assert r.status_code == 200, r.text
    assert_problem(
        await world.api.client.post(f"{base}/{vid}/check-in", json={"at": arrived.isoformat()}, headers=own), 403
    )
    r = await world.api.client.post(f"{base}/{vid}/check-in", json={"at": arrived.isoformat()}, headers=world.staff)
    assert r.status_code == 200, r.text
    left = arrived + timedelta(hours=10, minutes=30)
    r = await world.api.client.post(f"{base}/{vid}/check-out", json={"at": left.isoformat()}, headers=world.staff)
    assert r.status_code == 200, r.text
    hours_id = r.json()["hours_id"]
    [out] = await world.outbox("hub.volunteers.attendance.checked_out.v1", volunteer_id=vid)
    assert out["data"]["minutes"] == 630

    queue = await world.api.client.get(f"/v1/hours?hub_id={world.hub}", headers=world.staff)
    assert [h["id"] for h in queue.json()["items"]] == [hours_id]
    assert_problem(await world.api.client.post(f"/v1/hours/{hours_id}/approve", headers=own), 403)
    approved = await world.api.client.post(f"/v1/hours/{hours_id}/approve", headers=world.staff)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert_problem(await world.api.client.post(f"/v1/hours/{hours_id}/approve", headers=world.staff), 409)

    [milestone] = await world.outbox("hub.volunteers.milestone.reached.v1", volunteer_id=vid)
    assert milestone["data"]["milestone_hours"] == 10 and milestone["data"]["total_hours"] == 10.5
    totals = (await world.api.client.get(f"/v1/volunteers/{vid}/totals", headers=own)).json()
    assert totals["approved_hours"] == 10.5 and totals["milestones"] == [10] and totals["next_milestone"] == 50
    assert totals["by_role"] == [{"role_id": shift["role_id"], "hours": 10.5}]


async def test_a_volunteer_logs_their_own_hours_only_for_a_shift_they_were_on_and_once(world: World) -> None:
    shift = await world.shift(capacity=3)
    volunteer, own = await world.active_volunteer()
    other, others = await world.active_volunteer()
    vid, sid = volunteer["id"], shift["id"]
    path = f"/v1/volunteers/{vid}/hours"
    body = {"hours": 3, "worked_on": date.today().isoformat(), "shift_id": sid, "note": "sorted tins"}
    await world.api.client.post(f"/v1/shifts/{sid}/signups", headers=own)
    assert_problem(await world.api.client.post(path, json=body, headers=own), 409)  # not started yet
    started = datetime.now(UTC) - timedelta(hours=2)
    moved = {"starts_at": started.isoformat(), "ends_at": (started + timedelta(hours=3)).isoformat()}
    assert (await world.api.client.patch(f"/v1/shifts/{sid}", json=moved, headers=world.staff)).status_code == 200
    not_on_it = await world.api.client.post(f"/v1/volunteers/{other['id']}/hours", json=body, headers=others)
    assert_problem(not_on_it, 409)
    first = await world.api.client.post(path, json=body, headers=own)
    assert first.status_code == 201, first.text
    assert_problem(await world.api.client.post(path, json=body, headers=own), 409)  # the same shift twice
    assert await world.api.count("hours", volunteer_id=vid) == 1
    # Staff may log hours for anyone who turned up, signed up or not.
    by_staff = await world.api.client.post(f"/v1/volunteers/{other['id']}/hours", json=body, headers=world.staff)
    assert by_staff.status_code == 201, by_staff.text
    # Rejected hours may be logged again, corrected.
    rejected = await world.api.client.post(
        f"/v1/hours/{first.json()['id']}/reject", json={"reason": "it was 2 hours"}, headers=world.staff
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "it was 2 hours"
    again = await world.api.client.post(path, json={**body, "hours": 2}, headers=own)
    assert again.status_code == 201, again.text


async def test_the_approval_queue_names_each_volunteer_and_the_read_is_on_record(world: World) -> None:
    volunteer, own = await world.active_volunteer(name="Priya Patel")
    logged = await world.api.client.post(
        f"/v1/volunteers/{volunteer['id']}/hours",
        json={"hours": 1.5, "worked_on": date.today().isoformat()},
        headers=own,
    )
    staff = world.api.auth("staff", "sam-staff", hubs=(world.hub,))
    queue = await world.api.client.get("/v1/hours", params={"hub_id": world.hub}, headers=staff)
    assert queue.status_code == 200, queue.text
    [entry] = queue.json()["items"]
    assert (entry["id"], entry["name"], entry["minutes"]) == (logged.json()["id"], "Priya Patel", 90)
    other_hub = world.api.auth("staff", hubs=("hub-elsewhere",))
    assert_problem(await world.api.client.get("/v1/hours", params={"hub_id": world.hub}, headers=other_hub), 403)
    officer = world.api.auth("privacy", "dpo-alex")
    audit = await world.api.client.get("/v1/audit/access", params={"person_id": volunteer["id"]}, headers=officer)
    newest = audit.json()["items"][0]
    assert (newest["kind"], newest["reader"]) == ("hours queue", "sam-staff")
    assert newest["record_ids"] == [logged.json()["id"]]


async def test_milestones_are_awarded_exactly_once_even_with_concurrent_approvals(world: World) -> None:
    volunteer, own = await world.active_volunteer()
    vid = volunteer["id"]
    entries = []
    for i in range(6):  # 6 x 2h: 10h is crossed by the fifth approval, whichever order they commit in
        r = await world.api.client.post(
            f"/v1/volunteers/{vid}/hours",
            json={"hours": 2, "worked_on": (date.today() - timedelta(days=i)).isoformat(), "note": "litter pick"},
            headers=own,
        )
        assert r.status_code == 201, r.text
        entries.append(r.json()["id"])
    results = await asyncio.gather(
        *(world.api.client.post(f"/v1/hours/{h}/approve", headers=world.staff) for h in entries)
    )
    assert [r.status_code for r in results] == [200] * 6
    milestones = await world.outbox("hub.volunteers.milestone.reached.v1", volunteer_id=vid)
    assert [m["data"]["milestone_hours"] for m in milestones] == [10]
    assert await world.api.db["awards"].count_documents({"volunteer_id": vid, "kind": "milestone"}) == 1
    assert (await world.api.db["volunteers"].find_one({"_id": vid}))["approved_minutes"] == 12 * 60

    rejected_entry = await world.api.client.post(
        f"/v1/volunteers/{vid}/hours", json={"hours": 1, "worked_on": date.today().isoformat()}, headers=own
    )
    r = await world.api.client.post(
        f"/v1/hours/{rejected_entry.json()['id']}/reject", json={"reason": "duplicate"}, headers=world.staff
    )
    assert r.json()["status"] == "rejected"
    future = await world.api.client.post(
        f"/v1/volunteers/{vid}/hours",
        json={"hours": 1, "worked_on": (date.today() + timedelta(days=2)).isoformat()},
        headers=own,
    )
    assert_problem(future, 422)
    totals = await world.api.client.get(f"/v1/hubs/{world.hub}/hours/totals?group_by=volunteer", headers=world.staff)
    assert totals.json()["rows"] == [{"key": vid, "hours": 12.0, "entries": 6}]
    months = (
        await world.api.client.get(f"/v1/hubs/{world.hub}/hours/totals?group_by=month", headers=world.staff)
    ).json()
    assert sum(r["hours"] for r in months["rows"]) == 12.0
    assert all(len(r["key"]) == 7 and r["key"][4] == "-" for r in months["rows"])  # YYYY-MM
    later = date.today() + timedelta(days=1)
    none = await world.api.client.get(
        f"/v1/hubs/{world.hub}/hours/totals?from={later.isoformat()}", headers=world.staff
    )
    assert none.json()["rows"] == []


async def test_staff_award_with_citation_reaches_the_opt_in_wall(world: World) -> None:
    shy, _ = await world.active_volunteer(recognition_opt_in=False)
    proud, _ = await world.active_volunteer(name="Priya Patel", recognition_opt_in=True)
    award = {"title": "Volunteer of the Month", "citation": "Ran the food bank through the snow", "period": "2026-11"}
    assert_problem(
        await world.api.client.post(
            f"/v1/volunteers/{proud['id']}/awards", json=award, headers=world.api.auth("resident")
        ),
        403,
    )
    for v in (shy, proud):
        r = await world.api.client.post(f"/v1/volunteers/{v['id']}/awards", json=award, headers=world.staff)
        assert r.status_code == 201, r.text
    given = await world.outbox("hub.volunteers.award.given.v1", hub_id=world.hub)
    assert {e["data"]["volunteer_id"] for e in given} == {shy["id"], proud["id"]}
    assert all("Priya" not in str(e["data"]) for e in given)
    wall = (await world.api.client.get(f"/v1/recognition?hub_id={world.hub}")).json()["items"]
    assert [(w["display_name"], w["citation"]) for w in wall] == [("Priya", award["citation"])]


async def test_a_volunteer_cannot_be_in_two_overlapping_shifts(world: World) -> None:
    first = await world.shift(capacity=3)
    role = await world.published_role()
    start = datetime.fromisoformat(first["starts_at"]) + timedelta(hours=1)
    overlapping = {
        "role_id": role["id"],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "address": "Elsewhere",
        "capacity": 3,
    }
    second = (await world.api.client.post("/v1/shifts", json=overlapping, headers=world.staff)).json()
    later = {
        **overlapping,
        "starts_at": (start + timedelta(hours=2)).isoformat(),
        "ends_at": (start + timedelta(hours=4)).isoformat(),
    }
    third = (await world.api.client.post("/v1/shifts", json=later, headers=world.staff)).json()
    _v, own = await world.active_volunteer()

    assert (await world.api.client.post(f"/v1/shifts/{first['id']}/signups", headers=own)).status_code == 201
    clash = assert_problem(await world.api.client.post(f"/v1/shifts/{second['id']}/signups", headers=own), 409)
    assert clash["shift_id"] == first["id"]
    # Back to back is fine.
    assert (await world.api.client.post(f"/v1/shifts/{third['id']}/signups", headers=own)).status_code == 201


async def test_erasure_gives_up_future_places_to_the_waitlist_and_keeps_hours(world: World) -> None:
    shift = await world.shift(capacity=1)
    (leaver, leaver_auth), (waiting, waiting_auth) = [await world.active_volunteer() for _ in range(2)]
    await world.api.client.post(f"/v1/shifts/{shift['id']}/signups", headers=leaver_auth)
    await world.api.client.post(f"/v1/shifts/{shift['id']}/signups", headers=waiting_auth)
    logged = await world.api.client.post(
        f"/v1/volunteers/{leaver['id']}/hours",
        json={"hours": 3, "worked_on": date.today().isoformat()},
        headers=leaver_auth,
    )
    await world.api.client.post(f"/v1/hours/{logged.json()['id']}/approve", headers=world.staff)

    assert (await world.api.client.post(f"/v1/volunteers/{leaver['id']}/erase", headers=leaver_auth)).status_code == 200

    [promoted] = await world.outbox("hub.volunteers.signup.promoted.v1", shift_id=shift["id"])
    assert promoted["data"]["volunteer_id"] == waiting["id"]
    counts = (await world.api.client.get(f"/v1/shifts/{shift['id']}")).json()
    assert (counts["confirmed"], counts["waitlisted"]) == (1, 0)
    totals = await world.api.client.get(f"/v1/hubs/{world.hub}/hours/totals?group_by=volunteer", headers=world.staff)
    assert totals.json()["rows"] == [{"key": leaver["id"], "hours": 3.0, "entries": 1}]  # aggregate hours kept
    # The erased account can no longer act as that volunteer.
    assert (await world.api.client.get("/v1/volunteers/me", headers=leaver_auth)).status_code == 404

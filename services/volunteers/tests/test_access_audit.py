"""The access audit: staff reads of a volunteer's details are recorded, the volunteer's own are not."""

from __future__ import annotations

from volunteers_testkit import World

from hub_common.audit import ACCESS_AUDIT
from hub_testkit.service_api import assert_problem


async def test_staff_reads_of_a_volunteer_are_on_record_and_only_the_privacy_team_sees_them(world: World) -> None:
    volunteer, own = await world.register()
    vid = volunteer["id"]
    assert (await world.api.client.get(f"/v1/volunteers/{vid}", headers=own)).status_code == 200
    assert (await world.api.client.get(f"/v1/volunteers/{vid}/export", headers=own)).status_code == 200
    assert await world.api.count(ACCESS_AUDIT) == 0  # people reading their own record are not audited

    staff = world.api.auth("staff", "sam-staff", hubs=(world.hub,))
    assert (await world.api.client.get(f"/v1/volunteers/{vid}", headers=staff)).status_code == 200
    assert (await world.api.client.get(f"/v1/volunteers/{vid}/export", headers=staff)).status_code == 200
    listed = await world.api.client.get("/v1/volunteers", params={"hub_id": world.hub}, headers=staff)
    assert listed.status_code == 200 and [r["id"] for r in listed.json()["items"]] == [vid]
    other_hub = world.api.auth("staff", "pat-staff", hubs=("hub-elsewhere",))
    assert_problem(await world.api.client.get(f"/v1/volunteers/{vid}", headers=other_hub), 403)

    officer = world.api.auth("privacy", "dpo-alex")
    response = await world.api.client.get("/v1/audit/access", params={"person_id": vid}, headers=officer)
    assert response.status_code == 200, response.text
    entries = response.json()["items"]
    assert [(e["kind"], e["reader"], e["why"]) for e in entries] == [
        ("volunteer pipeline", "sam-staff", "applicant list"),
        ("volunteer export", "sam-staff", "export"),
        ("volunteer record", "sam-staff", "read"),
    ]  # newest first; the refused read is not a read
    assert all(e["service"] == "volunteers" and e["reader_role"] == "staff" for e in entries)
    by_reader = await world.api.client.get("/v1/audit/access", params={"reader": "pat-staff"}, headers=officer)
    assert by_reader.json()["items"] == []
    assert_problem(await world.api.client.get("/v1/audit/access", headers=staff), 403)


async def test_a_shift_s_roster_and_its_suggested_volunteers_are_reads_of_their_names(world: World) -> None:
    volunteer, _ = await world.active_volunteer()
    candidate, _ = await world.active_volunteer()  # not signed up: a suggestion
    shift = await world.shift()
    path = f"/v1/shifts/{shift['id']}"
    signed_up = await world.api.client.post(
        f"{path}/signups", json={"volunteer_id": volunteer["id"]}, headers=world.staff
    )
    assert signed_up.status_code in (200, 201), signed_up.text
    assert (await world.api.client.get(f"{path}/signups", headers=world.staff)).status_code == 200
    assert (await world.api.client.get(f"{path}/matches", headers=world.staff)).status_code == 200

    officer = world.api.auth("privacy", "dpo-alex")
    entries = (
        await world.api.client.get("/v1/audit/access", params={"person_id": volunteer["id"]}, headers=officer)
    ).json()
    assert ("shift roster", [shift["id"]]) in [(e["kind"], e["record_ids"]) for e in entries["items"]]
    suggested = await world.api.client.get("/v1/audit/access", params={"person_id": candidate["id"]}, headers=officer)
    newest = suggested.json()["items"][0]
    assert (newest["kind"], newest["record_ids"]) == ("volunteer matches", [shift["id"]])

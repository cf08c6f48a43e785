"""Registration, consent, privacy, lifecycle and skills over HTTP on the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from volunteers_testkit import CONSENT, Api, World

from hub_testkit.outbox import count_outbox_events
from hub_testkit.service_api import assert_problem


async def count(api: Api, hub: str) -> int:
    return await api.db["volunteers"].count_documents({"hub_id": hub})


async def test_registration_records_consent_and_publishes_public_and_contact_events(world: World) -> None:
    volunteer, headers = await world.register(name="Grace Hopper", skills=[])
    vid = volunteer["id"]

    assert volunteer["status"] == "applicant"
    consents = {c["purpose"]: c for c in volunteer["consents"]}
    assert consents["data_processing"]["granted"] is True
    assert consents["data_processing"]["wording_version"] == "2026-01"
    assert consents["data_processing"]["at"]
    assert consents["channel:email"]["granted"] is True and consents["channel:sms"]["granted"] is False
    assert volunteer["interests"] == ["food", "gardening"]

    [registered] = await world.outbox("hub.volunteers.volunteer.registered.v1", volunteer_id=vid)
    assert registered["topic"] == "hub.volunteers.events"
    public = str(registered["data"])
    # No contact data in public events (the phone as written: a "7700" alone may be in a timestamp).
    assert "Grace" not in public and "@" not in public and "7700 900" not in public
    [contact] = await world.outbox("hub.volunteers.contact.upserted.v1", person_id=vid)
    assert contact["topic"] == "hub.contacts"
    assert contact["data"]["display_name"] == "Grace Hopper"
    assert contact["data"]["email"] == volunteer["email"]
    assert contact["data"]["consented_channels"] == ["email", "inapp"]  # sms refused

    me = await world.api.client.get("/v1/volunteers/me", headers=headers)
    assert me.status_code == 200 and me.json()["id"] == vid
    assert me.headers["ETag"] == '"v1"'


async def test_registration_needs_sign_in(world: World) -> None:
    response = await world.api.client.post("/v1/volunteers", json=world.registration())
    assert_problem(response, 401)
    assert await count(world.api, world.hub) == 0


async def test_registration_without_data_processing_consent_is_refused_and_nothing_written(world: World) -> None:
    body = world.registration(consent={**CONSENT, "data_processing": False})
    response = await world.api.client.post("/v1/volunteers", json=body, headers=world.api.auth("resident"))
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "body.consent.data_processing"
    assert await count(world.api, world.hub) == 0


async def test_bad_input_gets_field_errors_and_nothing_written(world: World) -> None:
    headers = world.api.auth("resident")
    bad = world.registration(email="not-an-email", phone="call me", availability=[{"day": "funday", "start": "9"}])
    body = assert_problem(await world.api.client.post("/v1/volunteers", json=bad, headers=headers), 422)
    fields = {e["field"] for e in body["errors"]}
    assert "body.email" in fields and "body.phone" in fields
    assert any(f.startswith("body.availability") for f in fields)

    unreachable = world.registration(email=None, phone=None)
    assert_problem(await world.api.client.post("/v1/volunteers", json=unreachable, headers=headers), 422)

    backwards = world.registration(availability=[{"day": "mon", "start": "18:00", "end": "09:00"}])
    assert_problem(await world.api.client.post("/v1/volunteers", json=backwards, headers=headers), 422)

    unknown_skill = world.registration(skills=[{"skill_id": "no-such-skill", "level": 2}])
    body = assert_problem(await world.api.client.post("/v1/volunteers", json=unknown_skill, headers=headers), 422)
    assert "no-such-skill" in body["detail"]
    assert await count(world.api, world.hub) == 0
    assert await world.outbox("hub.volunteers.volunteer.registered.v1", hub_id=world.hub) == []


async def test_under_18s_need_guardian_consent(world: World) -> None:
    headers = world.api.auth("resident")
    teen = world.registration(date_of_birth="2010-06-01")
    body = assert_problem(await world.api.client.post("/v1/volunteers", json=teen, headers=headers), 422)
    assert body["errors"][0]["field"] == "body.guardian"

    refused = {"name": "Pat Parent", "relationship": "parent", "phone": "+44 7700 900111", "consent": False}
    assert_problem(
        await world.api.client.post("/v1/volunteers", json={**teen, "guardian": refused}, headers=headers), 422
    )
    assert await count(world.api, world.hub) == 0

    agreed = {**refused, "consent": True}
    response = await world.api.client.post("/v1/volunteers", json={**teen, "guardian": agreed}, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["guardian"]["name"] == "Pat Parent"
    assert any(c["purpose"] == "guardian" for c in response.json()["consents"])

    too_young = world.registration(date_of_birth="2016-01-01", guardian=agreed)
    assert_problem(
        await world.api.client.post("/v1/volunteers", json=too_young, headers=world.api.auth("resident")), 422
    )


async def test_duplicate_email_in_any_letter_case_is_409(world: World) -> None:
    first, _ = await world.register(email="Sam.Jones@Example.org")
    again = world.registration(email="sam.jones@example.ORG")
    body = assert_problem(
        await world.api.client.post("/v1/volunteers", json=again, headers=world.api.auth("resident")), 409
    )
    assert "email" in body["detail"]
    assert await world.api.db["volunteers"].count_documents({"hub_id": world.hub}) == 1
    assert first["email"] == "Sam.Jones@example.org"


async def test_one_account_registers_once_and_idempotency_key_replays(world: World) -> None:
    headers = world.api.auth("resident")
    body = world.registration()
    key = {"Idempotency-Key": "reg-1", **headers}
    first = await world.api.client.post("/v1/volunteers", json=body, headers=key)
    repeat = await world.api.client.post("/v1/volunteers", json=body, headers=key)
    assert first.status_code == repeat.status_code == 201
    assert first.json()["id"] == repeat.json()["id"]
    other = world.registration()
    assert_problem(await world.api.client.post("/v1/volunteers", json=other, headers=headers), 409)
    assert await count(world.api, world.hub) == 1


async def test_contact_details_are_private_to_the_volunteer_and_their_hub_staff(world: World) -> None:
    volunteer, own = await world.register()
    path = f"/v1/volunteers/{volunteer['id']}"
    assert (await world.api.client.get(path, headers=own)).status_code == 200
    assert (await world.api.client.get(path, headers=world.staff)).status_code == 200
    assert_problem(await world.api.client.get(path, headers=world.api.auth("resident")), 403)
    assert_problem(await world.api.client.get(path, headers=world.api.auth("staff", hubs=("hub-elsewhere",))), 403)
    assert_problem(await world.api.client.get(path), 401)


async def test_profile_update_uses_if_match_and_republishes_contact(world: World) -> None:
    volunteer, own = await world.register()
    path = f"/v1/volunteers/{volunteer['id']}"
    change = {"phone": "+44 7700 900555", "channels": {"email": True, "sms": True}, "wording_version": "2026-02"}
    stale = await world.api.client.patch(path, json=change, headers={**own, "If-Match": '"v9"'})
    assert_problem(stale, 412)
    ok = await world.api.client.patch(path, json=change, headers={**own, "If-Match": '"v1"'})
    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"] == '"v2"'
    contacts = await world.outbox("hub.volunteers.contact.upserted.v1", person_id=volunteer["id"])
    assert len(contacts) == 2
    assert contacts[-1]["data"]["phone"] == "+44 7700 900555"
    assert contacts[-1]["data"]["consented_channels"] == ["email", "sms", "inapp"]
    sms = [c for c in ok.json()["consents"] if c["purpose"] == "channel:sms"]
    assert [c["granted"] for c in sms] == [False, True] and sms[-1]["wording_version"] == "2026-02"


async def test_staff_pipeline_and_approval_after_checks(world: World) -> None:
    volunteer, own = await world.register()
    vid = volunteer["id"]
    pipeline = await world.api.client.get(f"/v1/volunteers?hub_id={world.hub}&status=applicant", headers=world.staff)
    assert [v["id"] for v in pipeline.json()["items"]] == [vid]
    assert_problem(await world.api.client.get(f"/v1/volunteers?hub_id={world.hub}", headers=own), 403)

    refused = await world.api.client.post(f"/v1/volunteers/{vid}/status", json={"to": "approved"}, headers=world.staff)
    assert "background check" in assert_problem(refused, 409)["detail"]
    assert_problem(
        await world.api.client.post(f"/v1/volunteers/{vid}/status", json={"to": "approved"}, headers=own), 403
    )

    check = {"level": "basic", "certificate_ref": "DBS-77", "issued_on": "2026-01-01", "renewal_due": "2029-01-01"}
    r = await world.api.client.post(f"/v1/volunteers/{vid}/checks", json=check, headers=world.staff)
    assert r.status_code == 201 and r.json()["checks"][0]["certificate_ref"] == "DBS-77"
    assert_problem(
        await world.api.client.post(
            f"/v1/volunteers/{vid}/status", json={"to": "approved"}, headers={**world.staff, "If-Match": '"v1"'}
        ),
        412,
    )
    approved = await world.api.client.post(f"/v1/volunteers/{vid}/status", json={"to": "approved"}, headers=world.staff)
    assert approved.json()["status"] == "approved"
    assert len(await world.outbox("hub.volunteers.volunteer.approved.v1", volunteer_id=vid)) == 1
    [changed] = await world.outbox("hub.volunteers.volunteer.status_changed.v1", volunteer_id=vid)
    assert (changed["data"]["from_status"], changed["data"]["to_status"]) == ("applicant", "approved")
    backwards = await world.api.client.post(
        f"/v1/volunteers/{vid}/status", json={"to": "approved"}, headers=world.staff
    )
    assert_problem(backwards, 409)


async def test_skills_taxonomy_is_staff_managed_and_volunteer_skills_have_levels(world: World) -> None:
    name = f"Gardening {world.hub}"
    assert_problem(
        await world.api.client.post(
            "/v1/skills", json={"name": name, "category": "outdoors"}, headers=world.api.auth("resident")
        ),
        403,
    )
    created = await world.api.client.post(
        "/v1/skills", json={"name": name, "category": "Outdoors"}, headers=world.staff
    )
    assert created.status_code == 201, created.text
    skill_id = created.json()["id"]
    dup = await world.api.client.post("/v1/skills", json={"name": name.upper(), "category": "x"}, headers=world.staff)
    assert_problem(dup, 409)
    listed = await world.api.client.get("/v1/skills?category=outdoors&limit=200")
    assert skill_id in [s["id"] for s in listed.json()["items"]]

    volunteer, own = await world.register(skills=[{"skill_id": skill_id, "level": 2}])
    assert volunteer["skills"] == [{"skill_id": skill_id, "level": 2}]
    r = await world.api.client.post(
        f"/v1/volunteers/{volunteer['id']}/skills", json={"skill_id": skill_id, "level": 4}, headers=own
    )
    assert r.json()["skills"] == [{"skill_id": skill_id, "level": 4}]
    [added] = await world.outbox("hub.volunteers.skill.added.v1", volunteer_id=volunteer["id"])
    assert added["data"]["level"] == 4

    accreditation = {
        "name": "RHS Level 2",
        "skill_id": skill_id,
        "issuer": "RHS",
        "issued_on": "2026-02-01",
        "expires_on": "2029-02-01",
    }
    assert_problem(
        await world.api.client.post(
            f"/v1/volunteers/{volunteer['id']}/accreditations", json=accreditation, headers=own
        ),
        403,
    )
    r = await world.api.client.post(
        f"/v1/volunteers/{volunteer['id']}/accreditations", json=accreditation, headers=world.staff
    )
    assert r.status_code == 201 and r.json()["accreditations"][0]["issuer"] == "RHS"
    assert len(await world.outbox("hub.volunteers.accreditation.added.v1", volunteer_id=volunteer["id"])) == 1


async def test_roles_cannot_be_published_without_a_full_description(world: World) -> None:
    draft = {"hub_id": world.hub, "title": "Litter picker", "purpose": "Keep the parks clean"}
    r = await world.api.client.post("/v1/roles", json=draft, headers=world.staff)
    assert r.status_code == 201, r.text
    role_id = r.json()["id"]
    body = assert_problem(await world.api.client.post(f"/v1/roles/{role_id}/publish", headers=world.staff), 422)
    assert {e["field"] for e in body["errors"]} >= {"body.tasks", "body.support_contact", "body.accessibility"}
    assert await world.outbox("hub.volunteers.role.published.v1", role_id=role_id) == []
    # Not visible to the public while a draft.
    assert_problem(await world.api.client.get(f"/v1/roles/{role_id}"), 404)

    rest = {k: v for k, v in world.role_body().items() if k not in ("hub_id", "title", "purpose")}
    r = await world.api.client.patch(f"/v1/roles/{role_id}", json=rest, headers={**world.staff, "If-Match": '"v1"'})
    assert r.status_code == 200, r.text
    r = await world.api.client.post(f"/v1/roles/{role_id}/publish", headers=world.staff)
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert len(await world.outbox("hub.volunteers.role.published.v1", role_id=role_id)) == 1
    listed = await world.api.client.get(f"/v1/roles?hub_id={world.hub}&q=parks")
    assert [x["id"] for x in listed.json()["items"]] == [role_id]
    assert_problem(
        await world.api.client.post("/v1/roles", json=draft, headers=world.api.auth("staff", hubs=("other",))), 403
    )


async def test_erasure_anonymises_keeps_hours_and_emits_erased_events(world: World) -> None:
    volunteer, own = await world.register(name="Erin Example")
    vid = volunteer["id"]
    exported = await world.api.client.get(f"/v1/volunteers/{vid}/export", headers=own)
    assert exported.json()["volunteer"]["name"] == "Erin Example"
    assert_problem(await world.api.client.post(f"/v1/volunteers/{vid}/erase", headers=world.api.auth("resident")), 403)
    r = await world.api.client.post(f"/v1/volunteers/{vid}/erase", headers=own)
    assert r.status_code == 200, r.text
    doc = await world.api.db["volunteers"].find_one({"_id": vid})
    assert doc["name"] == "Erased volunteer" and doc["email"] is None and doc["phone"] is None
    assert doc["date_of_birth"] is None and doc["emergency_contact"] is None and doc["sub"] is None
    assert len(await world.outbox("hub.volunteers.contact.erased.v1", person_id=vid)) == 1
    assert len(await world.outbox("hub.volunteers.volunteer.erased.v1", volunteer_id=vid)) == 1
    # The email is free again for a new registration.
    again, _ = await world.register(email=volunteer["email"])
    assert again["id"] != vid


async def test_erasure_removes_the_stored_response_of_their_registration_and_a_repeat_is_refused(
    world: World,
) -> None:
    own = world.api.auth("resident")
    headers = {"Idempotency-Key": "reg-erase-1", **own}
    body = world.registration(phone="+44 7700 900123")
    registered = await world.api.client.post("/v1/volunteers", json=body, headers=headers)
    assert registered.status_code == 201, registered.text
    vid = registered.json()["id"]
    [stored] = await world.api.db["idempotency_keys"].find({"about": vid}).to_list()
    assert "900123" in str(stored["result"])  # the whole response: what erasure must reach

    assert (await world.api.client.post(f"/v1/volunteers/{vid}/erase", headers=own)).status_code == 200

    [kept] = await world.api.db["idempotency_keys"].find({"_id": stored["_id"]}).to_list()
    assert "result" not in kept and kept["result_erased_at"] is not None
    assert "900123" not in str(kept) and body["email"] not in str(kept)
    # The same request again is neither answered with the erased response nor done again.
    repeat = await world.api.client.post("/v1/volunteers", json=body, headers=headers)
    assert_problem(repeat, 410)
    assert await world.api.db["volunteers"].count_documents({"hub_id": world.hub}) == 1


async def test_volunteers_can_step_back_and_return_but_not_approve_themselves(world: World) -> None:
    volunteer, own = await world.active_volunteer()
    path = f"/v1/volunteers/{volunteer['id']}/status"
    stepped = await world.api.client.post(path, json={"to": "inactive", "reason": "exams"}, headers=own)
    assert stepped.status_code == 200 and stepped.json()["status"] == "inactive"
    assert_problem(await world.api.client.post(path, json={"to": "archived"}, headers=own), 403)
    back = await world.api.client.post(path, json={"to": "active"}, headers=own)
    assert back.json()["status"] == "active"
    someone_else = world.api.auth("resident")
    assert_problem(await world.api.client.post(path, json={"to": "inactive"}, headers=someone_else), 403)
    changes = await world.outbox("hub.volunteers.volunteer.status_changed.v1", volunteer_id=volunteer["id"])
    assert [(c["data"]["from_status"], c["data"]["to_status"]) for c in changes][-2:] == [
        ("active", "inactive"),
        ("inactive", "active"),
    ]


async def test_a_returning_volunteer_can_have_a_sign_in_link_emailed(world: World) -> None:
    """Anyone may ask; the answer never says whether the address volunteers here; one email per interval."""
    started = datetime.now(UTC) - timedelta(seconds=1)
    volunteer, own = await world.register(email="Returning.Rita@Example.org")
    vid = volunteer["id"]
    me = (await world.api.client.get("/v1/volunteers/me", headers=own)).json()

    async def ask(email: str) -> dict:
        response = await world.api.client.post("/v1/volunteers/sign-in-links", json={"email": email})
        assert response.status_code == 202, response.text
        return response.json()

    answer = await ask("returning.rita@example.ORG")  # any letter case
    assert answer == await ask("nobody-here@example.org")  # the same words for an unknown address
    [requested] = await world.outbox("hub.volunteers.sign_in_link.requested.v1", person_id=vid)
    assert requested["topic"] == "hub.contacts"  # whom it signs in as is read by notifications alone
    assert requested["data"] == {"person_id": vid, "account_sub": me["sub"], "hub_id": world.hub}
    assert await count_outbox_events(world.api.db, {"type": requested["type"], "created_at": {"$gte": started}}) == 1

    await ask("returning.rita@example.org")  # again at once: no second email
    assert len(await world.outbox("hub.volunteers.sign_in_link.requested.v1", person_id=vid)) == 1
    await world.api.db["volunteers"].update_one(
        {"_id": vid}, {"$set": {"sign_in_link_at": datetime.now(UTC) - timedelta(minutes=3)}}
    )
    await ask("returning.rita@example.org")  # after the interval: a new link
    assert len(await world.outbox("hub.volunteers.sign_in_link.requested.v1", person_id=vid)) == 2

    assert_problem(await world.api.client.post("/v1/volunteers/sign-in-links", json={"email": "not an email"}), 422)
    assert (await world.api.client.post(f"/v1/volunteers/{vid}/erase", headers=own)).status_code == 200
    await world.api.db["volunteers"].update_one({"_id": vid}, {"$unset": {"sign_in_link_at": ""}})
    await ask("returning.rita@example.org")  # erased: nobody to sign in
    assert len(await world.outbox("hub.volunteers.sign_in_link.requested.v1", person_id=vid)) == 2


async def test_a_volunteer_staff_registered_has_no_account_to_sign_in_to(world: World) -> None:
    staff = world.api.auth("staff", hubs=(world.hub,))
    response = await world.api.client.post(
        "/v1/volunteers", json=world.registration(email="walk.in@example.org"), headers=staff
    )
    assert response.status_code == 201, response.text
    assert response.json()["sub"] is None
    ok = await world.api.client.post("/v1/volunteers/sign-in-links", json={"email": "walk.in@example.org"})
    assert ok.status_code == 202
    assert await world.outbox("hub.volunteers.sign_in_link.requested.v1", person_id=response.json()["id"]) == []


ARCHIVED = "archived volunteers' personal details"
CLOSED_APPLICATIONS = "closed volunteer applications' personal details"
NOTICE = "inactive volunteers told their record will be erased"
AFTER_NOTICE = "inactive volunteers' personal details, after the notice"


async def test_retention_erases_records_archived_past_their_period_and_nothing_else(world: World) -> None:
    left_long_ago, _ = await world.register(name="Leah Long-Gone")
    left_recently, _ = await world.register(name="Rita Recent")
    still_here, _ = await world.register(name="Stan Staying")
    long_ago = datetime.now(UTC) - timedelta(days=400)
    volunteers = world.api.db["volunteers"]
    await volunteers.update_one({"_id": left_long_ago["id"]}, {"$set": {"status": "archived", "updated_at": long_ago}})
    await volunteers.update_one({"_id": left_recently["id"]}, {"$set": {"status": "archived"}})
    await volunteers.update_one({"_id": still_here["id"]}, {"$set": {"updated_at": long_ago}})
    [retention] = [task for task in world.api.ctx.components.periodic if task.name == "retention"]

    assert (await retention.run())[ARCHIVED] == 1

    gone = await volunteers.find_one({"_id": left_long_ago["id"]})
    assert gone["name"] == "Erased volunteer" and gone["email"] is None and gone["erased_at"] is not None
    assert len(await world.outbox("hub.volunteers.contact.erased.v1", person_id=left_long_ago["id"])) == 1
    for kept, name in ((left_recently, "Rita Recent"), (still_here, "Stan Staying")):
        assert (await volunteers.find_one({"_id": kept["id"]}))["name"] == name
    assert (await retention.run())[ARCHIVED] == 0  # nothing left to do
    # The read walks its index.
    query = {"status": "archived", "erased_at": None, "updated_at": {"$lt": datetime.now(UTC)}}
    plan = await world.api.db.command(
        {"explain": {"find": "volunteers", "filter": query, "hint": "archived_by_age"}, "verbosity": "queryPlanner"}
    )
    assert "archived_by_age" in str(plan) and "COLLSCAN" not in str(plan)


async def test_closed_applications_go_after_six_months_and_people_who_volunteered_are_kept_longer(
    world: World,
) -> None:
    closed, _ = await world.register(name="Cleo Closed")
    volunteered, _ = await world.register(name="Vic Volunteered")
    volunteers = world.api.db["volunteers"]
    seven_months_ago = datetime.now(UTC) - timedelta(days=213)
    for person in (closed, volunteered):
        await volunteers.update_one(
            {"_id": person["id"]}, {"$set": {"status": "archived", "updated_at": seven_months_ago}}
        )
    await volunteers.update_one(
        {"_id": volunteered["id"]}, {"$set": {"approved_at": seven_months_ago - timedelta(days=300)}}
    )
    [retention] = [task for task in world.api.ctx.components.periodic if task.name == "retention"]

    ran = await retention.run()
    assert ran[CLOSED_APPLICATIONS] == 1 and ran[ARCHIVED] == 0
    assert (await volunteers.find_one({"_id": closed["id"]}))["name"] == "Erased volunteer"
    assert (await volunteers.find_one({"_id": volunteered["id"]}))["name"] == "Vic Volunteered"  # a year for them


async def test_approval_is_remembered_so_an_archived_volunteer_is_not_taken_for_a_closed_application(
    world: World,
) -> None:
    volunteer, _ = await world.active_volunteer()
    stored = await world.api.db["volunteers"].find_one({"_id": volunteer["id"]})
    assert stored["approved_at"] is not None


async def test_inactive_volunteers_are_told_first_and_erased_after_the_notice_unless_they_come_back(
    world: World,
) -> None:
    dormant, _ = await world.register(name="Dora Dormant")
    returning, _ = await world.register(name="Rex Returning")
    recent, _ = await world.register(name="Ruth Recent")
    volunteers = world.api.db["volunteers"]
    long_ago = datetime.now(UTC) - timedelta(days=800)
    for person, when in ((dormant, long_ago), (returning, long_ago), (recent, datetime.now(UTC))):
        await volunteers.update_one({"_id": person["id"]}, {"$set": {"status": "inactive", "updated_at": when}})
    [retention] = [task for task in world.api.ctx.components.periodic if task.name == "retention"]

    ran = await retention.run()
    assert ran[NOTICE] == 2 and ran[AFTER_NOTICE] == 0  # told, not erased: the notice period has not passed
    notices = await world.outbox("hub.volunteers.volunteer.erasure_scheduled.v1")
    assert sorted(n["data"]["volunteer_id"] for n in notices) == sorted([dormant["id"], returning["id"]])
    assert (await retention.run())[NOTICE] == 0  # told once
    # The notice period passes; one of them comes back meanwhile (their record changes).
    month_ago = datetime.now(UTC) - timedelta(days=31)
    await volunteers.update_many({"erasure_notice_at": {"$ne": None}}, {"$set": {"erasure_notice_at": month_ago}})
    await volunteers.update_one({"_id": returning["id"]}, {"$set": {"updated_at": datetime.now(UTC)}})

    assert (await retention.run())[AFTER_NOTICE] == 1
    docs = {
        d["_id"]: d async for d in volunteers.find({"_id": {"$in": [dormant["id"], returning["id"], recent["id"]]}})
    }
    assert docs[dormant["id"]]["name"] == "Erased volunteer" and docs[dormant["id"]]["erased_at"] is not None
    assert docs[returning["id"]]["name"] == "Rex Returning" and docs[returning["id"]]["erasure_notice_at"] is None
    assert docs[recent["id"]]["name"] == "Ruth Recent"

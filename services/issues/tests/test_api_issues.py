"""API: reporting, privacy, validation, duplicates, workflow, merge, 'me too' and the public feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from issues_testkit import IN_NORTHFIELD, IN_RIVERSIDE, NORTHFIELD, OUTSIDE, RIVERSIDE

from hub_issues.adapters.assets import ASSETS
from hub_issues.adapters.issues import EPOCH, ISSUES
from hub_testkit.service_api import assert_problem, fields_of

FLY_TIP = {"waste_type": ["furniture"], "amount": "van"}


async def test_signed_in_resident_reports_and_it_is_saved_with_its_event(api) -> None:
    response = await api.report(media_url="https://photos.example/1.jpg", address="Bus stop, Moor Road")
    assert response.status_code == 201, response.text
    issue = response.json()["issue"]
    assert issue["hub_id"] == NORTHFIELD and issue["status"] == "reported" and issue["open311_status"] == "open"
    assert issue["service_name"] == "Litter" and issue["media_url"] == "https://photos.example/1.jpg"
    assert issue["expected_at"] is not None and "reporter_id" not in issue  # public view hides the reporter
    assert response.headers["location"] == f"/v1/issues/{issue['id']}"
    assert response.json()["likely_duplicates"] == []

    [event] = await api.outbox()
    assert event["type"] == "hub.issues.issue.reported.v1" and event["topic"] == "hub.issues.events"
    assert event["subject"] == issue["id"] and event["hub_id"] == NORTHFIELD
    assert event["data"]["reporter_id"] == "res-1"
    assert event["data"]["location"] == {"lat": IN_NORTHFIELD[0], "lon": IN_NORTHFIELD[1]}


async def test_report_is_assigned_by_location_and_outside_goes_to_the_default_hub(api) -> None:
    riverside = await api.report(lat=IN_RIVERSIDE[0], lon=IN_RIVERSIDE[1])
    outside = await api.report(lat=OUTSIDE[0], lon=OUTSIDE[1])
    assert riverside.json()["issue"]["hub_id"] == RIVERSIDE
    assert outside.json()["issue"]["hub_id"] == NORTHFIELD


async def test_anonymous_report_needs_contact_which_goes_only_to_hub_contacts(api) -> None:
    response = await api.report(headers={})
    assert fields_of(assert_problem(response, 422, "rule-violated")) == {"contact"}
    assert await api.count(ISSUES) == 0

    # Names and addresses made of letters that never occur in hex ids, so the checks cannot flake.
    contact = {"name": "Winifred Quill", "email": "winnie@example.org", "phone": "+44 7700 900123"}
    response = await api.report(headers={}, contact=contact)
    assert response.status_code == 201, response.text
    assert "quill" not in response.text.lower() and "winnie" not in response.text
    reported, upserted = await api.outbox()
    assert reported["topic"] == "hub.issues.events"
    assert "quill" not in str(reported["data"]).lower() and "winnie" not in str(reported["data"])
    assert "7700 900123" not in str(reported["data"]) and "+44" not in str(reported["data"])  # not a timestamp's digits
    assert upserted["type"] == "hub.issues.contact.upserted.v1" and upserted["topic"] == "hub.contacts"
    assert upserted["data"]["email"] == "winnie@example.org"
    assert upserted["data"]["display_name"] == "Winifred Quill"
    assert upserted["data"]["consented_channels"] == ["email", "sms"]
    assert upserted["data"]["person_id"] == reported["data"]["reporter_id"] == upserted["subject"]
    public = (await api.client.get(f"/v1/issues/{response.json()['issue']['id']}")).text
    assert "quill" not in public.lower() and "winnie" not in public and "+44" not in public
    assert upserted["data"]["language"] == "en"  # unless they said otherwise


async def test_a_reporter_who_writes_in_welsh_is_written_back_to_in_welsh(api) -> None:
    contact = {"name": "Gwen", "email": "gwen@example.org", "language": "cy"}
    response = await api.report(headers={}, contact=contact)
    assert response.status_code == 201, response.text
    [upserted] = await api.outbox("hub.issues.contact.upserted.v1")
    assert upserted["data"]["language"] == "cy"
    refused = await api.report(headers={}, contact=contact | {"language": "Welsh please"})
    assert fields_of(assert_problem(refused, 422)) == {"body.contact.language"}


async def test_bad_reports_are_4xx_and_write_nothing(api) -> None:
    cases = [
        ({"service_code": "unicorns"}, 422, {"service_code"}),
        (
            {"service_code": "fly_tipping", "attributes": {"amount": "lorry"}},
            422,
            {"attributes.waste_type", "attributes.amount"},
        ),
        ({"lat": None, "lon": None}, 422, {"location"}),
        ({"lat": 95}, 422, {"body.lat"}),
        ({"description": ""}, 422, {"body.description"}),
        ({"media_url": "ftp://x/y.jpg"}, 422, {"body.media_url"}),
        ({"jurisdiction_id": "hub-nowhere"}, 404, set()),
        ({"contact": {"name": "A", "email": "not-an-email"}}, 422, {"body.contact.email"}),
    ]
    for fields, status, expected in cases:
        response = await api.report(**fields)
        body = assert_problem(response, status)
        assert fields_of(body) == expected, (fields, body)
    assert await api.count(ISSUES) == 0
    assert await api.outbox() == []


async def test_attribute_answers_are_validated_and_stored(api) -> None:
    response = await api.report(service_code="fly_tipping", attributes={**FLY_TIP, "seen_at": "2026-05-01T10:00:00Z"})
    assert response.status_code == 201, response.text
    assert response.json()["issue"]["attributes"] == {
        "waste_type": ["furniture"],
        "amount": "van",
        "seen_at": "2026-05-01T10:00:00+00:00",
    }


async def test_address_only_report_uses_the_hub_centre(api) -> None:
    response = await api.report(lat=None, lon=None, address="12 Mill Lane", jurisdiction_id=RIVERSIDE)
    issue = response.json()["issue"]
    assert issue["hub_id"] == RIVERSIDE and issue["location_precision"] == "hub"
    assert (issue["lat"], issue["lon"]) == IN_RIVERSIDE


async def test_asset_reference_is_checked_against_the_read_model(api) -> None:
    now = datetime.now(UTC)
    await api.ctx.db[ASSETS].insert_many(
        [
            {
                "_id": "asset-bench",
                "hub_id": NORTHFIELD,
                "kind": "space",
                "name": "Bench",
                "status": "active",
                "as_of": now,
            },
            {
                "_id": "asset-old",
                "hub_id": NORTHFIELD,
                "kind": "space",
                "name": "Old",
                "status": "retired",
                "as_of": now,
            },
        ]
    )
    ok = await api.report(service_code="damaged_bench", attributes={"dangerous": "yes"}, asset_id="asset-bench")
    assert ok.status_code == 201 and ok.json()["issue"]["asset_id"] == "asset-bench"
    for asset_id, kind in (("asset-nope", "unknown"), ("asset-old", "retired")):
        response = await api.report(service_code="damaged_bench", attributes={"dangerous": "no"}, asset_id=asset_id)
        body = assert_problem(response, 422, "rule-violated")
        assert body["errors"] == [{"field": "asset_id", "message": body["errors"][0]["message"], "type": kind}]
    assert await api.count(ISSUES) == 1


async def test_likely_duplicates_are_returned_on_report(api) -> None:
    first = (await api.report()).json()["issue"]["id"]
    await api.report(service_code="graffiti", attributes={"offensive": "no"})  # other category
    near = await api.report(lat=IN_NORTHFIELD[0] + 0.0002)  # about 22 m north
    assert [d["issue_id"] for d in near.json()["likely_duplicates"]] == [first]
    assert 20 < near.json()["likely_duplicates"][0]["distance_m"] < 25
    far = await api.report(lat=IN_NORTHFIELD[0] + 0.001)  # about 111 m
    assert far.json()["likely_duplicates"] == []


async def test_idempotent_report(api) -> None:
    headers = {**api.auth("resident", "res-1"), "Idempotency-Key": "r-1"}
    first = await api.report(headers=headers)
    second = await api.report(headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert await api.count(ISSUES) == 1
    assert len(await api.outbox()) == 1


async def test_forget_me_erases_the_stored_response_of_their_reports_and_a_repeat_is_refused(api) -> None:
    headers = {**api.auth("resident", "res-forget"), "Idempotency-Key": "r-forget"}
    first = await api.report(headers=headers, address="12 Moor Road, Priya's house")
    assert first.status_code == 201, first.text
    issue_id = first.json()["issue"]["id"]
    [stored] = await api.db["idempotency_keys"].find({"about": issue_id}).to_list()
    assert "res-forget" in stored["about"] and "Priya" in str(stored["result"])

    assert (await api.client.delete("/v1/residents/me", headers=api.auth("resident", "res-forget"))).status_code == 204

    [kept] = await api.db["idempotency_keys"].find({"_id": stored["_id"]}).to_list()
    assert "result" not in kept and "Priya" not in str(kept)
    assert_problem(await api.report(headers=headers, address="12 Moor Road, Priya's house"), 410)
    assert await api.count(ISSUES) == 1


async def transition(api, issue_id, action, headers=None, **body):
    body = {"action": action, "public_note": f"{action} note", **body}
    return await api.client.post(
        f"/v1/issues/{issue_id}/transitions", json=body, headers=api.staff() if headers is None else headers
    )


async def test_only_open_issues_carry_the_duplicate_search_key(api) -> None:
    """Closed issues drop out of the duplicate search (so it never reads years of history), reopened ones return."""
    issue_id = (await api.report()).json()["issue"]["id"]

    async def near_key() -> str | None:
        return (await api.ctx.db[ISSUES].find_one({"_id": issue_id})).get("near_key")

    key = await near_key()
    assert key is not None
    assert (await transition(api, issue_id, "acknowledge")).status_code == 200
    assert (await transition(api, issue_id, "fix")).status_code == 200
    assert await near_key() is None
    assert (await api.report(lat=IN_NORTHFIELD[0] + 0.0002)).json()["likely_duplicates"] == []

    reopened = await transition(api, issue_id, "reopen", headers=api.auth("resident", "res-1"), reason="still there")
    assert reopened.status_code == 200, reopened.text
    assert await near_key() == key
    again = await api.report(lat=IN_NORTHFIELD[0] + 0.0002)
    assert issue_id in [d["issue_id"] for d in again.json()["likely_duplicates"]]


async def test_workflow_over_the_api_records_who_when_and_notes(api) -> None:
    issue_id = (await api.report()).json()["issue"]["id"]
    ack = await transition(api, issue_id, "acknowledge", private_note="crew B tomorrow")
    assert ack.status_code == 200, ack.text
    assert ack.json()["status"] == "acknowledged" and ack.headers["etag"] == '"v2"'
    assert ack.json()["history"][0]["private_note"] == "crew B tomorrow"  # staff view
    ref = await transition(
        api, issue_id, "refer", agency_responsible="Riverside Housing", headers={**api.staff(), "If-Match": '"v2"'}
    )
    assert ref.json()["agency_responsible"] == "Riverside Housing"
    fixed = await transition(api, issue_id, "fix", public_note="Bags removed and bin emptied")
    assert fixed.json()["open311_status"] == "closed"

    public = (await api.client.get(f"/v1/issues/{issue_id}")).json()
    assert [h["action"] for h in public["history"]] == ["acknowledge", "refer", "fix"]
    assert all("private_note" not in h and "by" not in h for h in public["history"])
    assert "reporter_id" not in public and "submitted_by" not in public
    assert public["status_notes"] == "Bags removed and bin emptied"
    types = [e["type"] for e in await api.outbox()]
    assert types == [
        "hub.issues.issue.reported.v1",
        "hub.issues.issue.acknowledged.v1",
        "hub.issues.issue.referred.v1",
        "hub.issues.issue.fixed.v1",
    ]
    fixed_event = (await api.outbox("hub.issues.issue.fixed.v1"))[0]["data"]
    assert fixed_event["previous_status"] == "referred" and fixed_event["changed_by"] == "staff-1"
    assert fixed_event["reporter_id"] == "res-1"  # so notifications can tell the reporter
    assert "private_note" not in fixed_event

    feed = (await api.client.get(f"/v1/hubs/{NORTHFIELD}/you-said-we-did")).json()["items"]
    assert [(i["id"], i["we_did"]) for i in feed] == [(issue_id, "Bags removed and bin emptied")]


async def test_invalid_transitions_auth_and_versions(api) -> None:
    issue_id = (await api.report()).json()["issue"]["id"]
    body = assert_problem(await transition(api, issue_id, "close"), 409, "conflict")
    assert body["current_status"] == "reported" and "acknowledge" in body["allowed_actions"]
    assert_problem(await transition(api, issue_id, "acknowledge", headers={}), 401)
    assert_problem(await transition(api, issue_id, "acknowledge", headers=api.staff(RIVERSIDE)), 403)
    assert_problem(await transition(api, issue_id, "acknowledge", headers=api.auth("resident", "res-1")), 403)
    assert_problem(await transition(api, issue_id, "acknowledge", headers=api.auth("partner", hubs=(NORTHFIELD,))), 403)
    assert_problem(await transition(api, issue_id, "refer"), 422, "rule-violated")
    assert_problem(await transition(api, issue_id, "teleport"), 422, "validation")
    assert_problem(await transition(api, issue_id, "acknowledge", headers={**api.staff(), "If-Match": '"v7"'}), 412)
    assert_problem(await transition(api, "iss-nope", "acknowledge"), 404)
    doc = await api.ctx.db[ISSUES].find_one({"_id": issue_id})
    assert doc["status"] == "reported" and doc["version"] == 1 and doc["history"] == []
    assert len(await api.outbox()) == 1


async def test_reporter_reopens_within_the_period(api) -> None:
    issue_id = (await api.report()).json()["issue"]["id"]
    await transition(api, issue_id, "fix")
    other = await transition(api, issue_id, "reopen", headers=api.auth("resident", "res-2"))
    assert_problem(other, 403)
    reopened = await transition(
        api, issue_id, "reopen", headers=api.auth("resident", "res-1"), public_note="Still there"
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "reported"
    assert reopened.json()["fixed_at"] is None
    await transition(api, issue_id, "fix")
    await api.ctx.db[ISSUES].update_one(
        {"_id": issue_id}, {"$set": {"closed_at": datetime.now(UTC) - timedelta(days=40)}}
    )
    late = await transition(api, issue_id, "reopen", headers=api.auth("resident", "res-1"))
    assert "reopen period" in assert_problem(late, 409)["detail"]


async def test_merge_moves_followers_and_supporters(api) -> None:
    original = (await api.report()).json()["issue"]["id"]
    duplicate = (await api.report(headers=api.auth("resident", "res-2"))).json()["issue"]["id"]
    await api.client.put(f"/v1/issues/{duplicate}/support", headers=api.auth("resident", "res-3"))

    assert_problem(
        await api.client.post(
            f"/v1/issues/{duplicate}/merge",
            json={"into": original, "public_note": "x"},
            headers=api.auth("resident", "res-2"),
        ),
        403,
    )
    assert_problem(
        await api.client.post(
            f"/v1/issues/{duplicate}/merge", json={"into": "iss-nope", "public_note": "x"}, headers=api.staff()
        ),
        422,
    )
    merged = await api.client.post(
        f"/v1/issues/{duplicate}/merge", json={"into": original, "public_note": "Same bags"}, headers=api.staff()
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["status"] == "duplicate" and merged.json()["duplicate_of"] == original
    doc = await api.ctx.db[ISSUES].find_one({"_id": original})
    assert set(doc["followers"]) == {"res-1", "res-2", "res-3"}
    assert doc["support_count"] == 2
    [event] = await api.outbox("hub.issues.issue.duplicate_merged.v1")
    assert event["data"]["duplicate_of"] == original and event["data"]["followers_moved"] == 2
    again = await api.client.post(
        f"/v1/issues/{duplicate}/merge", json={"into": original, "public_note": "x"}, headers=api.staff()
    )
    assert_problem(again, 409)


async def test_support_once_per_person_and_priorities(api) -> None:
    quiet = (await api.report()).json()["issue"]["id"]
    popular = (await api.report(service_code="graffiti", attributes={"offensive": "yes"})).json()["issue"]["id"]
    assert_problem(await api.client.put(f"/v1/issues/{popular}/support"), 401)
    for person in ("res-2", "res-3", "res-2"):
        response = await api.client.put(f"/v1/issues/{popular}/support", headers=api.auth("resident", person))
        assert response.status_code == 200
    assert response.json()["support_count"] == 2
    assert len(await api.outbox("hub.issues.issue.supported.v1")) == 2

    ranked = (await api.client.get(f"/v1/hubs/{NORTHFIELD}/priorities")).json()["items"]
    assert [i["id"] for i in ranked] == [popular, quiet]
    await transition(api, popular, "fix")
    assert_problem(await api.client.put(f"/v1/issues/{popular}/support", headers=api.auth("resident", "res-9")), 409)
    assert [i["id"] for i in (await api.client.get(f"/v1/hubs/{NORTHFIELD}/priorities")).json()["items"]] == [quiet]


async def test_list_filters_and_paging(api) -> None:
    a = (await api.report(description="Broken glass near the school")).json()["issue"]["id"]
    b = (await api.report(description="Crisp packets", lat=IN_RIVERSIDE[0], lon=IN_RIVERSIDE[1])).json()["issue"]["id"]
    c = (
        await api.report(service_code="graffiti", attributes={"offensive": "no"}, description="Tag on the school wall")
    ).json()["issue"]["id"]
    await transition(api, a, "acknowledge")

    async def ids(**params):
        response = await api.client.get("/v1/issues", params=params)
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["items"]]

    assert await ids() == [c, b, a]
    assert await ids(hub_id=RIVERSIDE) == [b]
    assert await ids(status="acknowledged") == [a]
    assert await ids(service_code="graffiti") == [c]
    assert await ids(q="school") == [c, a]
    assert await ids(q="SCHOOL wall") == [c]
    assert await ids(lat=IN_RIVERSIDE[0], lon=IN_RIVERSIDE[1], radius_m=100) == [b]
    assert await ids(since=(datetime.now(UTC) + timedelta(hours=1)).isoformat()) == []
    first = (await api.client.get("/v1/issues", params={"limit": 2})).json()
    rest = (await api.client.get("/v1/issues", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [i["id"] for i in first["items"] + rest["items"]] == [c, b, a] and rest["next_cursor"] is None
    assert_problem(await api.client.get("/v1/issues", params={"status": "lost"}), 422)
    assert_problem(await api.client.get("/v1/issues", params={"lat": 53.8}), 422)


async def test_every_list_query_uses_an_index(api) -> None:
    """The list filters one at a time (SecantusDB plans compound filters on multikey fields as scans)."""
    await api.report()
    queries = [
        {"hub_id": NORTHFIELD},
        {"hub_id": NORTHFIELD, "status": {"$in": ["reported"]}},
        {"service_code": {"$in": ["litter"]}},
        {"search_terms": "bus"},
        {"hub_id": NORTHFIELD, "open": True},
        {"hub_id": NORTHFIELD, "fixed_at": {"$gte": EPOCH}},
        {"location": {"$geoWithin": {"$centerSphere": [[-1.55, 53.815], 500 / 6_371_008.8]}}},
        {"_id": {"$in": ["iss-1", "iss-2"]}},
        {"open": True, "requested_at": {"$gte": datetime.now(UTC) - timedelta(days=90)}},
    ]
    queries += [
        {"open": True, "overdue": False, "expected_at": {"$lt": datetime.now(UTC)}},
        {"feedback_state": "pending", "fixed_at": {"$lte": datetime.now(UTC)}},
        {"partner_key": "/partners/x|1"},
        {"hub_id": NORTHFIELD, "assignee": "crew"},
        {"hub_id": NORTHFIELD, "requested_at": {"$gte": datetime.now(UTC) - timedelta(days=365)}},
    ]
    for query in queries:
        plan = await api.ctx.db[ISSUES].find(query).explain()
        assert "IXSCAN" in str(plan["queryPlanner"]["winningPlan"]), query
    plan = await api.ctx.db["categories"].find({"hub_id": NORTHFIELD}).explain()
    assert "IXSCAN" in str(plan["queryPlanner"]["winningPlan"])
    point = {"type": "Point", "coordinates": [IN_NORTHFIELD[1], IN_NORTHFIELD[0]]}
    plan = await api.ctx.db["hubs"].find({"boundary": {"$geoIntersects": {"$geometry": point}}}).explain()
    assert "IXSCAN" in str(plan["queryPlanner"]["winningPlan"])

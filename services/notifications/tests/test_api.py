"""The notifications HTTP API on the real database: inbox, message status, templates, auth."""

from __future__ import annotations

from notifications_testkit import NotificationsApi as Api

from hub_notifications.adapters.messages import MESSAGES


async def test_inbox_shows_only_your_delivered_in_app_messages_and_tracks_reading(api: Api) -> None:
    for n in range(3):
        await api.add_message(f"m{n}", "me")
    await api.add_message("other", "someone-else")
    await api.add_message("email-copy", "me", channel="email")
    await api.add_message("pending", "me", status="created")
    me = api.auth("resident", sub="me")

    page = (await api.client.get("/v1/inbox?limit=2", headers=me)).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = (await api.client.get(f"/v1/inbox?cursor={page['next_cursor']}", headers=me)).json()
    assert {i["id"] for i in page["items"] + rest["items"]} == {"m0", "m1", "m2"}
    assert (await api.client.get("/v1/inbox/unread-count", headers=me)).json() == {"unread": 3}

    assert (await api.client.post("/v1/inbox/m1/read", headers=me)).status_code == 204
    assert (await api.client.get("/v1/inbox/unread-count", headers=me)).json() == {"unread": 2}
    assert (await api.client.post("/v1/inbox/other/read", headers=me)).status_code == 404  # not yours


async def test_inbox_needs_a_signed_in_person(api: Api) -> None:
    response = await api.client.get("/v1/inbox")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_message_status_is_for_staff_of_the_message_hub(api: Api) -> None:
    await api.add_message("north", "p1")
    await api.add_message("south", "p2", hub="hub-riverside")
    staff = api.auth("staff", hubs=("hub-northfield",))
    assert (await api.client.get("/v1/messages/north", headers=staff)).json()["status"] == "delivered"
    assert (await api.client.get("/v1/messages/south", headers=staff)).status_code == 404
    assert (await api.client.get("/v1/messages/north", headers=api.auth("resident"))).status_code == 403
    listed = (await api.client.get("/v1/events/ev-1/messages", headers=api.auth("operator"))).json()
    assert {m["id"] for m in listed} == {"north", "south"}


async def test_templates_are_checked_when_saved_and_versioned(api: Api) -> None:
    staff = api.auth("staff")
    url = "/v1/templates/issue_acknowledgement/email/en"
    default = await api.client.get(url, headers=staff)
    assert default.json()["is_default"] is True and default.headers["ETag"] == '"v0"'

    bad = await api.client.put(url, json={"subject": "Hi", "body": "We will email {email}"}, headers=staff)
    assert bad.status_code == 422 and "email" in bad.json()["detail"]
    assert await api.db["templates"].count_documents({}) == 0  # nothing written

    saved = await api.client.put(
        url, json={"subject": "Thanks, {display_name}", "body": "Ref {issue_id}"}, headers={**staff, "If-Match": '"v0"'}
    )
    assert saved.status_code == 200 and saved.headers["ETag"] == '"v1"'
    stale = await api.client.put(url, json={"subject": "x", "body": "y"}, headers={**staff, "If-Match": '"v0"'})
    assert stale.status_code == 412

    preview = await api.client.post(
        f"{url}/preview",
        json={
            "subject": "Thanks, {display_name}",
            "body": "Ref {issue_id}",
            "values": {"display_name": "Jo", "issue_id": "7"},
        },
        headers=staff,
    )
    assert preview.json() == {"subject": "Thanks, Jo", "body": "Ref 7"}
    assert (
        await api.client.put(url, json={"subject": "x", "body": "y"}, headers=api.auth("resident"))
    ).status_code == 403
    unknown = await api.client.put("/v1/templates/nonsense/email/en", json={"subject": "x", "body": "y"}, headers=staff)
    assert unknown.status_code == 404


async def test_hub_staff_list_their_hubs_failed_messages_newest_first(api: Api) -> None:
    await api.add_message("sent", "p1")
    await api.add_message("bounced", "p2", status="permanent_failure")
    await api.add_message("crashed", "p3", status="technical_failure")
    await api.add_message("retrying", "p4", status="temporary_failure")
    await api.add_message("elsewhere", "p5", status="permanent_failure", hub="hub-riverside")
    staff = api.auth("staff", hubs=("hub-northfield",))

    listed = await api.client.get("/v1/hubs/hub-northfield/messages", headers=staff)
    assert listed.status_code == 200, listed.text
    assert [m["id"] for m in listed.json()["items"]] == ["crashed", "bounced"]
    only = await api.client.get("/v1/hubs/hub-northfield/messages?status=permanent_failure", headers=staff)
    assert [m["id"] for m in only.json()["items"]] == ["bounced"]
    assert (await api.client.get("/v1/hubs/hub-riverside/messages", headers=staff)).status_code == 403
    assert (await api.client.get("/v1/hubs/hub-northfield/messages", headers=api.auth("resident"))).status_code == 403
    assert (await api.client.get("/v1/hubs/hub-northfield/messages?status=delivered", headers=staff)).status_code == 422


async def test_hub_staff_see_paused_webhooks_that_carry_their_hubs_events(api: Api) -> None:
    partner = api.auth("partner", sub="riverside-housing", hubs=("hub-northfield", "hub-riverside"))
    ids = {}
    for name, hubs in (("north", ["hub-northfield"]), ("every", []), ("south", ["hub-riverside"]), ("ok", [])):
        body = {"url": f"https://hooks.example/{name}", "hub_ids": hubs}
        ids[name] = (await api.client.post("/v1/webhooks", json=body, headers=partner)).json()["id"]
    paused = [ids["north"], ids["every"], ids["south"]]
    await api.db["webhook_subscriptions"].update_many({"_id": {"$in": paused}}, {"$set": {"status": "paused"}})
    staff = api.auth("staff", hubs=("hub-northfield",))

    listed = await api.client.get("/v1/hubs/hub-northfield/webhooks", headers=staff)
    assert listed.status_code == 200, listed.text
    assert {w["id"] for w in listed.json()["items"]} == {ids["north"], ids["every"]}
    assert all(w["status"] == "paused" and "secret" not in w for w in listed.json()["items"])
    assert (await api.client.get("/v1/hubs/hub-riverside/webhooks", headers=staff)).status_code == 403
    assert (await api.client.get("/v1/hubs/hub-northfield/webhooks", headers=partner)).status_code == 403


async def test_partners_manage_their_own_webhook_subscriptions(api: Api) -> None:
    partner = api.auth("partner", sub="riverside-housing")
    other = api.auth("partner", sub="someone-else")
    body = {"url": "https://hooks.riverside.example/hub", "event_types": ["hub.issues.issue.reported.v1"]}

    created = await api.client.post("/v1/webhooks", json=body, headers=partner)
    assert created.status_code == 201, created.text
    sub = created.json()
    assert sub["secret"].startswith("whsec_") and created.headers["Location"] == f"/v1/webhooks/{sub['id']}"
    read = await api.client.get(f"/v1/webhooks/{sub['id']}", headers=partner)
    assert "secret" not in read.json() and read.headers["ETag"] == '"v1"'
    assert (await api.client.get(f"/v1/webhooks/{sub['id']}", headers=other)).status_code == 404
    assert (await api.client.get("/v1/webhooks", headers=other)).json()["items"] == []

    patched = await api.client.patch(
        f"/v1/webhooks/{sub['id']}", json={"categories": ["litter"]}, headers={**partner, "If-Match": '"v1"'}
    )
    assert patched.status_code == 200 and patched.json()["categories"] == ["litter"]
    stale = await api.client.patch(
        f"/v1/webhooks/{sub['id']}", json={"categories": []}, headers={**partner, "If-Match": '"v1"'}
    )
    assert stale.status_code == 412

    rotated = await api.client.post(f"/v1/webhooks/{sub['id']}/rotate-secret", headers=partner)
    assert rotated.json()["secret"] != sub["secret"]
    log = await api.client.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=partner)
    assert log.json() == {"items": [], "next_cursor": None}


async def test_webhook_writes_need_a_partner_and_a_safe_url(api: Api) -> None:
    body = {"url": "https://hooks.example/hub"}
    assert (await api.client.post("/v1/webhooks", json=body)).status_code == 401
    assert (await api.client.post("/v1/webhooks", json=body, headers=api.auth("resident"))).status_code == 403
    partner = api.auth("partner")
    for url, status in (("not a url", 422), ("https://192.168.1.10/hook", 422), ("http://hooks.example/", 422)):
        response = await api.client.post("/v1/webhooks", json={"url": url}, headers=partner)
        assert response.status_code == status, (url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert await api.db["webhook_subscriptions"].count_documents({}) == 0


async def test_people_set_their_own_preferences(api: Api) -> None:
    me = api.auth("resident", sub="pref-person")
    default = await api.client.get("/v1/preferences/me", headers=me)
    assert default.json()["digest"] == "off" and default.headers["ETag"] == '"v0"'
    body = {"opt_outs": ["issue_updates:email"], "quiet_hours": {"start": "21:00", "end": "08:00"}, "digest": "weekly"}
    saved = await api.client.put("/v1/preferences/me", json=body, headers={**me, "If-Match": '"v0"'})
    assert saved.status_code == 200 and saved.json()["quiet_hours"] == {"start": "21:00:00", "end": "08:00:00"}
    assert (
        await api.client.put("/v1/preferences/me", json=body, headers={**me, "If-Match": '"v0"'})
    ).status_code == 412

    for bad in ({"opt_outs": ["issue_updates:pigeon"]}, {"timezone": "Mars/Olympus"}, {"digest": "hourly"}):
        response = await api.client.put("/v1/preferences/me", json=bad, headers=me)
        assert response.status_code == 422, bad
    assert (await api.client.get("/v1/preferences/me", headers=me)).json()["digest"] == "weekly"  # unchanged
    assert (await api.client.put("/v1/preferences/me", json=body)).status_code == 401


async def test_hub_staff_turn_a_rule_off_for_their_hub_only(api: Api) -> None:
    staff = api.auth("staff", hubs=("hub-northfield",))
    rules = (await api.client.get("/v1/hubs/hub-northfield/rules", headers=staff)).json()
    assert {r["message_type"]: r["enabled"] for r in rules}["issue_acknowledgement"] is True

    off = await api.client.put(
        "/v1/hubs/hub-northfield/rules/issue_acknowledgement", json={"enabled": False}, headers=staff
    )
    assert off.status_code == 200 and off.json()["enabled"] is False
    rules = (await api.client.get("/v1/hubs/hub-northfield/rules", headers=staff)).json()
    assert {r["message_type"]: r["enabled"] for r in rules}["issue_acknowledgement"] is False

    other_hub = await api.client.put(
        "/v1/hubs/hub-riverside/rules/issue_acknowledgement", json={"enabled": False}, headers=staff
    )
    assert other_hub.status_code == 403
    unknown = await api.client.put("/v1/hubs/hub-northfield/rules/nope", json={"enabled": False}, headers=staff)
    assert unknown.status_code == 404


async def test_staff_opt_in_to_alerts_for_their_own_hubs(api: Api) -> None:
    staff = api.auth("staff", sub="staff-1", hubs=("hub-northfield",))
    body = {"display_name": "Nadia", "email": "nadia@council.example"}
    assert (
        await api.client.put("/v1/hubs/hub-northfield/staff-alerts/me", json=body, headers=staff)
    ).status_code == 204
    assert (await api.client.put("/v1/hubs/hub-riverside/staff-alerts/me", json=body, headers=staff)).status_code == 403
    bad = await api.client.put("/v1/hubs/hub-northfield/staff-alerts/me", json={"email": "nope"}, headers=staff)
    assert bad.status_code == 422
    resident = api.auth("resident")
    assert (
        await api.client.put("/v1/hubs/hub-northfield/staff-alerts/me", json=body, headers=resident)
    ).status_code == 403
    assert (await api.client.delete("/v1/hubs/hub-northfield/staff-alerts/me", headers=staff)).status_code == 204
    assert (await api.client.delete("/v1/hubs/hub-northfield/staff-alerts/me", headers=staff)).status_code == 404


async def test_councillors_opt_in_to_alerts_for_the_hubs_they_represent_only(api: Api) -> None:
    councillor = api.auth("councillor", sub="cllr-1", hubs=("hub-northfield",))
    body = {"display_name": "Cathy Moss", "email": "cathy.moss@council.example"}
    url = "/v1/hubs/hub-northfield/councillor-alerts/me"
    assert (await api.client.put(url, json=body, headers=councillor)).status_code == 204
    other = await api.client.put("/v1/hubs/hub-riverside/councillor-alerts/me", json=body, headers=councillor)
    assert other.status_code == 403 and other.headers["content-type"] == "application/problem+json"
    for role in ("staff", "resident", "operator"):  # councillors' alerts are councillors' own
        assert (await api.client.put(url, json=body, headers=api.auth(role))).status_code == 403
    staff_route = await api.client.put("/v1/hubs/hub-northfield/staff-alerts/me", json=body, headers=councillor)
    assert staff_route.status_code == 403  # a councillor is not the hub's staff
    [alert] = await api.db["hub_staff"].find({"person_id": "cllr-1"}).to_list()
    assert alert["audience"] == "councillor"
    assert (await api.client.delete(url, headers=councillor)).status_code == 204
    assert (await api.client.delete(url, headers=councillor)).status_code == 404


async def test_patching_a_filter_to_null_clears_it_and_a_null_url_is_refused(api: Api) -> None:
    partner = api.auth("partner", sub="p1")
    created = await api.client.post(
        "/v1/webhooks", json={"url": "https://hooks.example/h", "categories": ["litter"]}, headers=partner
    )
    url = f"/v1/webhooks/{created.json()['id']}"
    cleared = await api.client.patch(url, json={"categories": None, "event_types": None}, headers=partner)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["categories"] == [] and cleared.json()["event_types"] == []
    assert (await api.client.patch(url, json={"url": None}, headers=partner)).status_code == 422
    assert (await api.client.get("/v1/webhooks", headers=partner)).status_code == 200


async def test_a_person_or_an_operator_erases_them_from_notifications_itself(api: Api) -> None:
    for person in ("alex", "sam"):
        await api.db["contacts"].insert_one(
            {"_id": person, "display_name": person.title(), "email": f"{person}@council.example", "phone": None}
        )
        await api.add_message(f"m-{person}", person)

    # Nobody else may: a resident, or staff (a request by phone goes through an operator).
    for who in (api.auth("resident", sub="alex"), api.auth("staff", sub="nadia")):
        assert (await api.client.delete("/v1/contacts/sam", headers=who)).status_code == 403
    assert (await api.client.delete("/v1/contacts/sam")).status_code == 401

    assert (await api.client.delete("/v1/contacts/me", headers=api.auth("resident", sub="alex"))).status_code == 204
    operator = api.auth("operator", sub="ops-1")
    assert (await api.client.delete("/v1/contacts/sam", headers=operator)).status_code == 204
    assert (await api.client.delete("/v1/contacts/sam", headers=operator)).status_code == 204  # again: no change

    for person in ("alex", "sam"):
        assert f"{person}@council.example" not in str(await api.db["contacts"].find({"_id": person}).to_list())
        message = await api.db[MESSAGES].find_one({"_id": f"m-{person}"})
        assert message["person_id"] == "erased" and "body" not in message
    assert (await api.client.delete(f"/v1/contacts/{'x' * 200}", headers=operator)).status_code == 422

"""The partner registry: operators add, grant, revoke and rotate; partners get tokens for their hubs."""

from __future__ import annotations

from identity_testkit import IdentityApi as Api
from identity_testkit import basic

from hub_testkit.service_api import assert_problem


async def test_a_registered_partner_gets_a_token_for_its_granted_hubs(api: Api) -> None:
    added = await api.add_partner(hubs=["hub-northfield", "hub-riverside"])
    secret = added.pop("client_secret")
    assert added["hubs"] == ["hub-northfield", "hub-riverside"] and added["status"] == "active"
    stored = await api.db["partners"].find_one({"_id": "housing-north"})
    assert secret not in str(stored) and stored["secret_hash"].startswith("scrypt$")
    response = await api.ask(("housing-north", secret))
    assert response.status_code == 200, response.text
    principal = await api.verifier().verify(response.json()["access_token"])
    assert (principal.sub, principal.role, principal.hubs, principal.client_id) == (
        "housing-north",
        "partner",
        ("hub-northfield", "hub-riverside"),
        "housing-north",
    )
    assert response.json()["expires_in"] == api.settings.partner_token_ttl_s
    # Its secret is never shown again.
    shown = (await api.client.get("/v1/partners/housing-north", headers=await api.operator())).json()
    assert "client_secret" not in shown and "secret_hash" not in shown
    [event] = await api.outbox("hub.identity.partner.registered.v1")
    assert event["data"]["hubs"] == ["hub-northfield", "hub-riverside"]
    assert "contacts" not in event["data"] and "desk@housing.example" not in str(event)


async def test_grants_change_and_each_change_is_published(api: Api) -> None:
    await api.add_partner()
    body = {
        "add": {"hubs": ["hub-riverside"]},
        "remove": {"hubs": ["hub-northfield"], "publishes": ["hub.issues.report.submitted.v1"]},
    }
    response = await api.client.post("/v1/partners/housing-north/grants", json=body, headers=await api.operator())
    assert response.status_code == 200, response.text
    assert (response.json()["hubs"], response.json()["publishes"]) == (["hub-riverside"], [])
    [event] = await api.outbox("hub.identity.partner.grants_changed.v1")
    assert event["data"]["hubs"] == ["hub-riverside"]
    # The same change again changes nothing and publishes nothing.
    again = await api.client.post("/v1/partners/housing-north/grants", json=body, headers=await api.operator())
    assert again.status_code == 200
    assert len(await api.outbox("hub.identity.partner.grants_changed.v1")) == 1


async def test_a_library_is_granted_to_send_ballots_and_forum_registrations_and_reads_neither(api: Api) -> None:
    inbound = ["hub.participation.pb_ballot.submitted.v1", "hub.participation.registration.submitted.v1"]
    body = {"add": {"publishes": inbound}}
    await api.add_partner()
    response = await api.client.post("/v1/partners/housing-north/grants", json=body, headers=await api.operator())
    assert response.status_code == 200, response.text
    assert set(inbound) <= set(response.json()["publishes"])
    [event] = await api.outbox("hub.identity.partner.grants_changed.v1")
    assert set(inbound) <= set(event["data"]["publishes"])  # what participation's read model checks against
    reading = {"add": {"consumes": inbound[:1]}}  # inbound types are sent, never read
    refused = await api.client.post("/v1/partners/housing-north/grants", json=reading, headers=await api.operator())
    assert_problem(refused, 422)


async def test_a_revoked_partner_gets_no_more_tokens(api: Api) -> None:
    secret = (await api.add_partner())["client_secret"]
    response = await api.client.post("/v1/partners/housing-north/revoke", headers=await api.operator())
    assert response.json()["status"] == "revoked" and response.json()["hubs"] == []
    refused = await api.ask(("housing-north", secret))
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    [event] = await api.outbox("hub.identity.partner.revoked.v1")
    assert event["data"]["partner_id"] == "housing-north"
    grant = await api.client.post(
        "/v1/partners/housing-north/grants", json={"add": {"hubs": ["hub-x"]}}, headers=await api.operator()
    )
    assert_problem(grant, 409, "conflict")


async def test_a_rotated_secret_replaces_the_old_one(api: Api) -> None:
    old = (await api.add_partner())["client_secret"]
    response = await api.client.post("/v1/partners/housing-north/secret", headers=await api.operator())
    new = response.json()["client_secret"]
    assert new != old and response.headers["cache-control"] == "no-store"
    assert (await api.ask(("housing-north", old))).status_code == 401
    assert (await api.ask(("housing-north", new))).status_code == 200


async def test_bad_registrations_are_refused_and_change_nothing(api: Api) -> None:
    operator = await api.operator()
    for body, status in [
        ({"id": "Bad Id!", "organisation": "x"}, 422),
        ({"id": "ok-id", "organisation": "x", "consumes": ["hub.contacts.whatever.v1"]}, 422),
        ({"id": "ok-id", "organisation": "x", "consumes": ["hub.volunteers.contact.upserted.v1"]}, 422),
        ({"id": "ok-id", "organisation": "x", "publishes": ["hub.issues.issue.reported.v1"]}, 422),
        ({"id": "ok-id", "organisation": "x", "contacts": [{"name": "A", "email": "not-an-email"}]}, 422),
    ]:
        response = await api.client.post("/v1/partners", json=body, headers=operator)
        assert response.status_code == status, (body, response.text)
    assert await api.count("partners") == 0
    await api.add_partner()
    assert_problem(
        await api.client.post("/v1/partners", json={"id": "housing-north", "organisation": "x"}, headers=operator), 409
    )


async def test_only_operators_manage_the_registry(api: Api) -> None:
    staff = (
        await api.client.post(
            "/oauth/token",
            data={
                "grant_type": "urn:community-hub:grant-type:on-behalf-of",
                "sub": "s",
                "role": "staff",
                "hubs": "hub-northfield",
            },
            headers=basic("hub-web", "dev-web-secret"),
        )
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {staff}"}
    assert (await api.client.get("/v1/partners", headers=headers)).status_code == 403
    assert (
        await api.client.post("/v1/partners", json={"id": "x-y", "organisation": "x"}, headers=headers)
    ).status_code == 403
    assert (await api.client.get("/v1/partners")).status_code == 401


async def test_the_registry_is_listed_in_pages(api: Api) -> None:
    for n in range(3):
        await api.add_partner(f"partner-{n}")
    operator = await api.operator()
    first = (await api.client.get("/v1/partners?limit=2", headers=operator)).json()
    assert [p["id"] for p in first["items"]] == ["partner-0", "partner-1"]
    rest = (await api.client.get(f"/v1/partners?limit=2&cursor={first['next_cursor']}", headers=operator)).json()
    assert [p["id"] for p in rest["items"]] == ["partner-2"] and rest["next_cursor"] is None

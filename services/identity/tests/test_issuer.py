"""The issuer: its JWKS and metadata, the token endpoint's two grants, and what it refuses."""

from __future__ import annotations

import jwt
import pytest
from identity_testkit import CLI, NOTIFICATIONS, WEB, basic
from identity_testkit import IdentityApi as Api

from hub_common.errors import Unauthorized

ON_BEHALF_OF = "urn:community-hub:grant-type:on-behalf-of"


async def test_the_issuer_publishes_its_keys_and_what_it_is(api: Api) -> None:
    await api.operator()  # the first token makes the first key if the start-up did not
    jwks = (await api.client.get("/.well-known/jwks.json")).json()
    assert len(jwks["keys"]) == 1
    key = jwks["keys"][0]
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("EC", "P-256", "ES256", "sig")
    assert "d" not in key  # the public half only
    meta = (await api.client.get("/.well-known/oauth-authorization-server")).json()
    assert meta["issuer"] == api.settings.auth_issuer
    assert meta["token_endpoint"].endswith("/oauth/token")
    assert "client_credentials" in meta["grant_types_supported"]


async def test_a_platform_client_gets_its_own_token_and_a_verifier_accepts_it(api: Api) -> None:
    response = await api.ask(CLI)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == api.settings.default_token_ttl_s
    principal = await api.verifier().verify(body["access_token"])
    assert (principal.sub, principal.role, principal.client_id) == ("hub-cli", "operator", "hub-cli")
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "ES256" and header["kid"]


async def test_the_web_app_gets_tokens_on_behalf_of_people_it_signed_in(api: Api) -> None:
    response = await api.ask(
        WEB, grant_type=ON_BEHALF_OF, sub="staff-7", role="staff", hubs="hub-a hub-b", expires_in="300"
    )
    assert response.status_code == 200, response.text
    principal = await api.verifier().verify(response.json()["access_token"])
    assert (principal.sub, principal.role, principal.hubs, principal.client_id) == (
        "staff-7",
        "staff",
        ("hub-a", "hub-b"),
        "hub-web",
    )
    assert response.json()["expires_in"] == 300


async def test_the_web_app_gets_a_councillor_token_for_the_hubs_they_represent(api: Api) -> None:
    response = await api.ask(WEB, grant_type=ON_BEHALF_OF, sub="staff-cllr", role="councillor", hubs="hub-a")
    assert response.status_code == 200, response.text
    principal = await api.verifier().verify(response.json()["access_token"])
    assert (principal.role, principal.hubs) == ("councillor", ("hub-a",))
    assert principal.is_councillor_for("hub-a") and not principal.is_staff
    # Notifications mints only residents' sign-in links: never a councillor's token.
    refused = await api.ask(NOTIFICATIONS, grant_type=ON_BEHALF_OF, sub="x", role="councillor", hubs="hub-a")
    assert refused.json()["error"] == "unauthorized_client"


async def test_a_client_may_ask_only_for_the_roles_it_issues_for(api: Api) -> None:
    response = await api.ask(NOTIFICATIONS, grant_type=ON_BEHALF_OF, sub="x", role="operator")
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"
    # Notifications has no role of its own: it cannot have a token for itself.
    assert (await api.ask(NOTIFICATIONS)).json()["error"] == "unauthorized_client"
    # A lifetime longer than the client's longest is cut to it.
    response = await api.ask(WEB, grant_type=ON_BEHALF_OF, sub="r", role="resident", expires_in="999999999")
    assert response.json()["expires_in"] == 3600


@pytest.mark.parametrize(
    ("form", "headers", "status", "error"),
    [
        ({"grant_type": "client_credentials"}, basic("hub-cli", "wrong"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, basic("nobody", "x"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, {}, 401, "invalid_client"),
        ({"grant_type": "password", "username": "u", "password": "p"}, basic(*CLI), 400, "unsupported_grant_type"),
        ({}, basic(*CLI), 400, "invalid_request"),
        ({"grant_type": ON_BEHALF_OF, "role": "resident"}, basic(*WEB), 400, "invalid_request"),
        ({"grant_type": ON_BEHALF_OF, "sub": "x", "role": "king"}, basic(*WEB), 400, "invalid_request"),
        (
            {"grant_type": ON_BEHALF_OF, "sub": "x", "role": "resident", "expires_in": "5"},
            basic(*WEB),
            400,
            "invalid_request",
        ),
    ],
)
async def test_bad_token_requests_are_refused_in_oauth_terms(api: Api, form, headers, status, error) -> None:
    response = await api.client.post("/oauth/token", data=form, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.headers["cache-control"] == "no-store"
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic")


async def test_a_token_request_must_be_form_encoded_with_each_parameter_once(api: Api) -> None:
    response = await api.client.post("/oauth/token", json={"grant_type": "client_credentials"}, headers=basic(*CLI))
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    response = await api.client.post(
        "/oauth/token",
        content="grant_type=client_credentials&grant_type=client_credentials",
        headers={**basic(*CLI), "content-type": "application/x-www-form-urlencoded"},
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


async def test_client_credentials_may_come_in_the_form(api: Api) -> None:
    response = await api.client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": CLI[0], "client_secret": CLI[1]}
    )
    assert response.status_code == 200


async def test_the_admin_api_wants_an_operator_token_from_this_issuer(api: Api) -> None:
    assert (await api.client.get("/v1/keys")).status_code == 401
    staff = (await api.ask(WEB, grant_type=ON_BEHALF_OF, sub="s", role="staff")).json()["access_token"]
    assert (await api.client.get("/v1/keys", headers={"Authorization": f"Bearer {staff}"})).status_code == 403
    # A token signed by another key (the test kit's, which other suites' services trust) is not this issuer's.
    from hub_testkit.tokens import issue_token

    forged = issue_token(sub="x", role="operator")
    response = await api.client.get("/v1/keys", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    with pytest.raises(Unauthorized):
        await api.verifier().verify(forged)

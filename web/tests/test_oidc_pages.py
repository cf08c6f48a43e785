"""The council sign-in's settings and the pages around it, without a provider (the sign-in itself
against the real Keycloak is in test_oidc_sign_in.py)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from web_testkit import SECRET, csrf_of

from hub_web.oidc import Transaction, TransactionCodec
from hub_web.settings import WebSettings

OIDC = {
    "oidc_issuer_url": "http://127.0.0.1:9/realms/council",  # nothing listens: no test here reaches it
    "oidc_client_id": "hub-web",
    "oidc_client_secret": "a-client-secret-nobody-may-see",
    "oidc_provider_name": "Northfield Council",
    "oidc_group_map": '{"/hubs/{hub}/staff": {"role": "staff"}}',
}


def test_authlib_talks_to_the_provider_with_httpx_whose_errors_the_sign_in_catches() -> None:
    import httpx
    from authlib.integrations.httpx_client._compat import httpx2  # what Authlib's clients are built on

    assert httpx2 is httpx  # were the httpx2 package installed, hub_web.oidc would catch the wrong errors


def test_the_client_secret_never_shows_in_the_settings_repr_or_errors() -> None:
    settings = WebSettings(session_secret=SECRET, **OIDC)
    assert "a-client-secret-nobody-may-see" not in repr(settings)
    assert "a-client-secret-nobody-may-see" not in str(settings.model_dump())
    with pytest.raises(ValidationError) as refused:
        WebSettings(session_secret=SECRET, **{**OIDC, "oidc_group_map": "{oops"})
    assert "a-client-secret-nobody-may-see" not in str(refused.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"oidc_client_secret": ""}, "HUB_WEB_OIDC_CLIENT_SECRET are needed"),
        ({"oidc_client_id": ""}, "HUB_WEB_OIDC_CLIENT_ID"),
        ({"oidc_group_map": "{}"}, "must map at least one group"),
        ({"oidc_group_map": '{"/x": {"role": "root"}}'}, "role must be one of"),
        ({"oidc_scopes": "profile"}, "must include openid"),
    ],
)
def test_an_incomplete_oidc_configuration_is_refused_at_start(change: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WebSettings(session_secret=SECRET, **{**OIDC, **change})


def test_production_needs_an_https_issuer_unless_it_is_on_this_machine() -> None:
    production = {
        "session_secret": SECRET,
        "issuer_client_secret": SECRET,
        "auth_issuer": "https://issuer.council.example",
        "environment": "production",
    }
    with pytest.raises(ValidationError, match="https"):
        WebSettings(**production, **{**OIDC, "oidc_issuer_url": "http://login.northfield.example/realms/council"})
    WebSettings(**production, **{**OIDC, "oidc_issuer_url": "https://login.northfield.example/realms/council"})
    WebSettings(**production, **{**OIDC, "oidc_issuer_url": "http://localhost:8180/realms/community-hub"})


async def test_the_sign_in_page_offers_the_council_provider_when_configured(make_client) -> None:
    async for client in make_client(**OIDC):
        page = await client.get("/sign-in")
        assert 'action="/auth/oidc/start"' in page.text
        assert "Sign in with Northfield Council" in page.text
        assert 'name="password"' not in page.text  # no local accounts here: the provider alone
        # Browsers apply form-action to a form's redirect: the provider's origin must be allowed.
        assert "form-action 'self' http://127.0.0.1:9;" in page.headers["content-security-policy"]


async def test_demo_passwords_stay_beside_the_provider_in_development(make_client) -> None:
    async for client in make_client(**OIDC, demo_accounts=True):
        page = await client.get("/sign-in")
        assert "Sign in with Northfield Council" in page.text
        assert "Demo staff accounts (development only)" in page.text and 'name="password"' in page.text


async def test_without_a_provider_the_page_is_as_before_and_its_routes_are_not_found(make_client) -> None:
    async for client in make_client():
        page = await client.get("/sign-in")
        assert "/auth/oidc/start" not in page.text and 'name="password"' in page.text
        assert "form-action 'self';" in page.headers["content-security-policy"]
        started = await client.post("/auth/oidc/start", data={"csrf_token": csrf_of(page.text)})
        assert started.status_code == 404
        assert (await client.get("/auth/oidc/callback?state=x&code=y")).status_code == 404


async def test_starting_needs_the_pages_csrf_token(make_client) -> None:
    async for client in make_client(**OIDC):
        await client.get("/sign-in")
        assert (await client.post("/auth/oidc/start", data={"csrf_token": "forged"})).status_code == 400


async def test_a_provider_that_does_not_answer_is_a_try_again_page(make_client) -> None:
    async for client in make_client(**OIDC):
        page = await client.get("/sign-in")
        started = await client.post("/auth/oidc/start", data={"csrf_token": csrf_of(page.text)})
        assert started.status_code == 503
        assert "Try again in a few minutes" in started.text
        assert "a-client-secret-nobody-may-see" not in started.text


@pytest.mark.parametrize(
    "cookie",
    [None, "not-signed", "eyJzdGF0ZSI6Ing"],  # none, garbage, unsigned JSON
)
async def test_a_callback_without_a_valid_transaction_is_refused_and_signs_nobody_in(make_client, cookie) -> None:
    async for client in make_client(**OIDC):
        if cookie:
            client.cookies.set("hub_oidc", cookie, path="/auth/oidc")
        refused = await client.get("/auth/oidc/callback", params={"state": "x" * 30, "code": "y" * 30})
        assert refused.status_code == 400
        assert "This sign-in has expired" in refused.text
        assert 'hub_oidc=""' in refused.headers["set-cookie"]  # cleared: one try per transaction
        assert (await client.get("/staff")).status_code == 303


async def test_a_callback_naming_another_issuer_is_refused_before_the_code_is_used(make_client) -> None:
    settings = WebSettings(session_secret=SECRET, **OIDC)
    cookie = TransactionCodec(settings.cookie_key).dumps(Transaction("the-state", "n", "v", ""))
    async for client in make_client(**OIDC):
        client.cookies.set("hub_oidc", cookie, path="/auth/oidc")
        params = {"state": "the-state", "code": "c", "iss": "https://evil.example/realms/council"}
        refused = await client.get("/auth/oidc/callback", params=params)
        assert refused.status_code == 400  # not a 503: the (unreachable) provider was never asked
        assert "could not be verified" in refused.text

"""Staff sign in through the real OpenID provider (Keycloak, a local process) into the web app (a
process on the real services): an HTTP client follows the redirects and fills in Keycloak's own
login form, as a browser would. Nothing about the provider is faked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest

from hub_testkit.keycloak import DEMO_PASSWORD, browser_like_client

pytestmark = pytest.mark.integration

TIMEOUT = httpx.Timeout(60.0)  # a loaded 2-core machine runs five services, the web app and Keycloak


@pytest.fixture
def client(oidc_web: str) -> Iterator[httpx.Client]:
    with browser_like_client(base_url=oidc_web, timeout=TIMEOUT) as http:
        yield http


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def start_sign_in(client: httpx.Client) -> httpx.Response:
    """Press "Sign in with ..." and follow the redirect to Keycloak's login page."""
    page = client.get("/sign-in")
    assert "Sign in with Hub Test Council" in page.text
    started = client.post("/auth/oidc/start", data={"csrf_token": csrf_of(page.text), "next": ""})
    assert started.status_code == 303
    login = client.get(started.headers["location"])
    assert login.status_code == 200, login.text[:500]
    return login


def submit_login(client: httpx.Client, login: httpx.Response, username: str) -> httpx.Response:
    """Fill in Keycloak's login form; its answer is the redirect to the web app's callback (not followed)."""
    action = html.unescape(re.search(r'<form[^>]+id="kc-form-login"[^>]+action="([^"]+)"', login.text).group(1))
    answer = client.post(action, data={"username": username, "password": DEMO_PASSWORD, "credentialId": ""})
    assert answer.status_code == 302, answer.text[:500]
    assert answer.headers["location"].startswith(f"{client.base_url}/auth/oidc/callback?")
    return answer


def sign_in(client: httpx.Client, username: str) -> httpx.Response:
    callback = submit_login(client, start_sign_in(client), username).headers["location"]
    return client.get(callback, follow_redirects=True)


def test_a_hub_staff_member_signs_in_with_their_council_account_and_lands_on_their_hubs_console(
    client: httpx.Client,
) -> None:
    page = sign_in(client, "nadia.northfield")

    assert page.status_code == 200
    assert page.url.path == "/staff/hubs/hub-northfield"  # the console of the one hub the group maps to
    assert "<h1>Northfield" in page.text
    assert "Sign out" in page.text
    # The services answer with her session's token: the hub's issues and shifts are on the page.
    assert client.get("/staff/hubs/hub-riverside").status_code == 403  # not her hub


def test_a_ward_councillor_signs_in_with_their_council_account_as_a_councillor_of_their_hub(
    client: httpx.Client,
) -> None:
    callback = submit_login(client, start_sign_in(client), "cathy.councillor").headers["location"]
    landed = client.get(callback)
    assert landed.status_code == 303 and landed.headers["location"] == "/councillor"
    ward = client.get("/councillor")
    assert ward.status_code == 303 and ward.headers["location"] == "/councillor/hubs/hub-northfield"
    assert client.get("/councillor/hubs/hub-riverside").status_code == 403  # not her ward
    assert client.get("/staff/hubs/hub-northfield").status_code == 303  # not hub staff: to the sign-in


def test_the_authorization_request_uses_pkce_s256_state_and_nonce(client: httpx.Client) -> None:
    page = client.get("/sign-in")
    started = client.post("/auth/oidc/start", data={"csrf_token": csrf_of(page.text)})
    query = parse_qs(urlsplit(started.headers["location"]).query)

    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["response_type"] == ["code"] and "openid" in query["scope"][0].split()
    cookie = started.headers["set-cookie"]
    assert "hub_oidc=" in cookie and "Path=/auth/oidc" in cookie and "HttpOnly" in cookie
    assert query["state"][0] not in cookie  # signed, and not readable as the state (nor the verifier)


def test_the_provider_refuses_an_authorization_request_without_pkce(client: httpx.Client, keycloak) -> None:
    params = {
        "client_id": "hub-web",
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": f"{client.base_url}/auth/oidc/callback",
        "state": "s" * 20,
    }
    answer = client.get(f"{keycloak.issuer}/protocol/openid-connect/auth?{urlencode(params)}")
    # Keycloak sends the error back to the (registered) redirect URI: the web app refuses it, no session.
    assert answer.status_code == 302
    assert "error=invalid_request" in answer.headers["location"]
    assert "code_challenge_method" in parse_qs(urlsplit(answer.headers["location"]).query)["error_description"][0]


def test_an_operator_gets_the_console_of_every_hub(client: httpx.Client) -> None:
    page = sign_in(client, "olga.operator")

    assert page.url.path == "/staff"
    assert "Staff console" in page.text
    assert "Northfield" in page.text and "Riverside" in page.text


def test_someone_in_no_mapped_group_gets_a_clear_page_and_no_staff_session(client: httpx.Client) -> None:
    page = sign_in(client, "colin.contractor")

    assert page.status_code == 403
    assert "Your account cannot use the staff console" in page.text
    assert "staff group" in page.text
    console = client.get("/staff")
    assert console.status_code == 303 and console.headers["location"].startswith("/sign-in")


def test_a_forged_state_is_refused_and_the_transaction_is_used_up(client: httpx.Client) -> None:
    callback = submit_login(client, start_sign_in(client), "nadia.northfield").headers["location"]
    query = parse_qs(urlsplit(callback).query)
    forged = callback.replace(f"state={query['state'][0]}", "state=forged-by-someone-else")

    refused = client.get(forged)
    assert refused.status_code == 400
    assert "This sign-in has expired" in refused.text
    # The transaction went with that attempt: the genuine callback cannot be used after it.
    assert client.get(callback).status_code == 400
    assert client.get("/staff").status_code == 303


def test_a_replayed_callback_is_refused(client: httpx.Client, oidc_web: str) -> None:
    login = start_sign_in(client)
    transaction = client.cookies.get("hub_oidc", path="/auth/oidc")
    callback = submit_login(client, login, "nadia.northfield").headers["location"]
    assert client.get(callback).status_code == 303  # signed in

    again = client.get(callback)
    assert again.status_code == 400  # this browser's transaction is spent
    # A copy of the transaction cookie does not help either: the provider takes a code once.
    with httpx.Client(base_url=oidc_web, timeout=TIMEOUT) as other:
        other.cookies.set("hub_oidc", transaction, path="/auth/oidc")
        replayed = other.get(callback)
        assert replayed.status_code == 400
        assert "could not be confirmed" in replayed.text
        assert other.get("/staff").status_code == 303


def test_a_callback_with_a_wrong_code_is_refused(client: httpx.Client) -> None:
    callback = submit_login(client, start_sign_in(client), "nadia.northfield").headers["location"]
    query = parse_qs(urlsplit(callback).query)
    wrong = callback.replace(f"code={query['code'][0]}", "code=not-a-code-the-provider-gave")

    refused = client.get(wrong)
    assert refused.status_code == 400
    assert "could not be confirmed" in refused.text
    assert client.get("/staff").status_code == 303


def test_a_callback_without_a_sign_in_started_here_is_refused(client: httpx.Client) -> None:
    refused = client.get("/auth/oidc/callback", params={"state": "x" * 30, "code": "y" * 30})
    assert refused.status_code == 400
    assert "Go to the sign-in page" in refused.text


def test_signing_out_ends_the_web_session_and_the_providers(client: httpx.Client, keycloak) -> None:
    sign_in(client, "nadia.northfield")
    console = client.get("/staff", follow_redirects=True)
    signed_out = client.post("/sign-out", data={"csrf_token": csrf_of(console.text)})

    assert signed_out.status_code == 303
    logout = signed_out.headers["location"]
    assert logout.startswith(f"{keycloak.issuer}/protocol/openid-connect/logout?")
    assert client.get("/staff").status_code == 303  # the web session is over already
    # The provider asks to confirm (no ID token hint is kept), then sends the browser home.
    confirm = client.get(logout)
    form = re.search(r'<form[^>]+action="([^"]+)"[^>]*>(.*?)</form>', confirm.text, re.S)
    fields = dict(re.findall(r'name="([^"]+)"\s+value="([^"]*)"', form.group(2)))
    done = client.post(
        urljoin(str(confirm.url), html.unescape(form.group(1))), data={**fields, "confirmLogout": "Logout"}
    )
    assert done.status_code == 302 and done.headers["location"].startswith(f"{client.base_url}/?state=")
    # Signed out there too: the next sign-in asks for the password again.
    assert 'id="kc-form-login"' in start_sign_in(client).text

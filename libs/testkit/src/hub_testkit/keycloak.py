"""The real OpenID provider for the tests that sign staff in: Keycloak as a plain process.

``scripts/infra.sh keycloak-up`` starts it (installed by ``make install``) on the test ports with
the repository's realm (``deploy/keycloak/community-hub-realm.json``), whose placeholders register
the test web app's callback; only the tests that ask for the ``keycloak`` fixture start it, once
per session. If one is already up on the test port (a second suite in the same checkout) it is
reused and left running.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from hub_testkit.infra import _OFFSET, INFRA_SCRIPT, REPO_ROOT, _port_open, local_infra_env

KEYCLOAK_HOME = REPO_ROOT / ".hub" / "keycloak"
KEYCLOAK_TEST_PORTS = {"http": 18180 + _OFFSET, "management": 19180 + _OFFSET}
# The realm registers exact redirect URIs (no port wildcards in Keycloak), so the web app that signs
# staff in under test listens on this fixed port.
OIDC_WEB_TEST_PORT = 18080 + _OFFSET
REALM = "community-hub"
CLIENT_ID = "hub-web"
CLIENT_SECRET = "demo-web-client-secret"  # noqa: S105 - the realm file's published development default
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the realm's demo users, development only
# The council's groups as the realm names them, mapped the way the README shows.
GROUP_MAP = (
    '{"/hubs/{hub}/staff": {"role": "staff"}, "/operators": {"role": "operator"}, "/privacy": {"role": "privacy"},'
    ' "/hubs/{hub}/councillors": {"role": "councillor"}}'
)


@dataclass(frozen=True)
class Keycloak:
    url: str
    management_url: str
    started_in_s: float | None  # None when it was already running

    @property
    def issuer(self) -> str:
        return f"{self.url}/realms/{REALM}"

    def web_env(self, web_url: str) -> dict[str, str]:
        """The web app's settings for signing staff in here."""
        return {
            "HUB_WEB_OIDC_ISSUER_URL": self.issuer,
            "HUB_WEB_OIDC_CLIENT_ID": CLIENT_ID,
            "HUB_WEB_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "HUB_WEB_OIDC_PROVIDER_NAME": "Hub Test Council",
            "HUB_WEB_OIDC_GROUP_MAP": GROUP_MAP,
            "HUB_WEB_OIDC_REDIRECT_URL": f"{web_url}/auth/oidc/callback",
        }


def keycloak_installed() -> bool:
    return (KEYCLOAK_HOME / ".stamp").is_file()


def keycloak_env() -> dict[str, str]:
    web = f"http://127.0.0.1:{OIDC_WEB_TEST_PORT}"
    return {
        **local_infra_env(),
        "HUB_LOCAL_KEYCLOAK_PORT": str(KEYCLOAK_TEST_PORTS["http"]),
        "HUB_LOCAL_KEYCLOAK_MANAGEMENT_PORT": str(KEYCLOAK_TEST_PORTS["management"]),
        "HUB_KEYCLOAK_EXTRA_REDIRECT_URI": f"{web}/auth/oidc/callback",
        "HUB_KEYCLOAK_EXTRA_LOGOUT_URI": f"{web}/*",
    }


@contextmanager
def local_keycloak() -> Iterator[Keycloak]:
    http, management = KEYCLOAK_TEST_PORTS["http"], KEYCLOAK_TEST_PORTS["management"]
    already_up = _port_open(http) and _port_open(management)
    started_in = None
    if not already_up:
        begun = time.monotonic()
        # The script waits (up to 180 s) for /health/ready on the management port: the realm is imported.
        subprocess.run([str(INFRA_SCRIPT), "keycloak-up"], env=keycloak_env(), check=True)  # noqa: S603
        started_in = time.monotonic() - begun
    try:
        yield Keycloak(f"http://127.0.0.1:{http}", f"http://127.0.0.1:{management}", started_in)
    finally:
        if not already_up:
            subprocess.run([str(INFRA_SCRIPT), "keycloak-down"], env=keycloak_env(), check=False)  # noqa: S603


def browser_like_client(**options) -> httpx.Client:
    """An HTTP client that keeps cookies as a browser does on loopback.

    Browsers treat http://127.0.0.1 and http://localhost as secure contexts, so they send
    ``Secure`` cookies there (Keycloak's login cookies are all ``Secure``); Python's cookie jar
    sends them over https only. After each response this marks the loopback cookies it was given
    as sendable over http, and leaves every other cookie alone.
    """
    client = httpx.Client(**options)

    def loopback_is_secure(_response: httpx.Response) -> None:
        for cookie in client.cookies.jar:
            if cookie.secure and _loopback(cookie.domain):
                cookie.secure = False

    client.event_hooks["response"].append(loopback_is_secure)
    return client


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def keycloak_must_run() -> bool:
    """In CI a missing Keycloak fails the run rather than skipping the sign-in tests."""
    return bool(os.environ.get("CI"))

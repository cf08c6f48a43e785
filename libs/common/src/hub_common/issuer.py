"""A client of the platform's token issuer (the identity service), for the platform's own clients.

The web app asks it for tokens for the people it signed in, notifications for the sign-in links it
emails, the CLI for its operator token: ``POST /oauth/token`` with the client's own credentials
(RFC 6749). Tokens are cached until shortly before they expire, so a busy page or a burst of emails
costs one request per person and role, not one per call.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

import httpx

from hub_common.errors import ServiceUnavailable

ON_BEHALF_OF = "urn:community-hub:grant-type:on-behalf-of"
REUSE_UNTIL_S = 60  # a cached token is used until this long before it expires
CACHE_SIZE = 10_000


class IssuerRefused(Exception):
    """The issuer said no (bad client credentials, a role this client may not ask for): not transient."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description = error, description


class IssuerUnavailable(ServiceUnavailable):
    """The issuer did not answer, or failed: try again later."""


class IssuerClient:
    def __init__(
        self,
        issuer_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.token_url = issuer_url.rstrip("/") + "/oauth/token"
        self.metadata_url = issuer_url.rstrip("/") + "/.well-known/oauth-authorization-server"
        self._auth = httpx.BasicAuth(client_id, client_secret)
        self._http = httpx.AsyncClient(timeout=timeout_s, transport=transport)
        self._cache: OrderedDict[tuple, tuple[str, float]] = OrderedDict()
        self._lock = asyncio.Lock()

    async def on_behalf_of(
        self,
        sub: str,
        role: str,
        hubs: list[str] | tuple[str, ...] = (),
        *,
        ttl_s: int | None = None,
        cache: bool = True,
    ) -> str:
        """A token naming ``sub`` in ``role`` for ``hubs``, for someone this client signed in itself
        (``cache=False`` for a one-off, such as the token of an emailed link)."""
        form = {"grant_type": ON_BEHALF_OF, "sub": sub, "role": role, "hubs": " ".join(hubs)}
        if ttl_s is not None:
            form["expires_in"] = str(ttl_s)
        return await self._token(("obo", sub, role, tuple(hubs), ttl_s), form, cache=cache)

    async def own_token(self) -> str:
        """The client's token for itself (client credentials)."""
        return await self._token(("own",), {"grant_type": "client_credentials"}, cache=True)

    async def probe(self) -> None:
        """Does the issuer answer? Its metadata (RFC 8414) read, or IssuerUnavailable: a caller that
        found it away asks this, not for a token, until it is back."""
        try:
            response = await self._http.get(self.metadata_url)
        except httpx.HTTPError as exc:
            raise IssuerUnavailable(f"the token issuer does not answer ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise IssuerUnavailable(f"the token issuer failed ({response.status_code})")

    async def _token(self, key: tuple, form: dict[str, str], *, cache: bool) -> str:
        cached = self._cache.get(key) if cache else None
        if cached and cached[1] - REUSE_UNTIL_S > time.monotonic():
            self._cache.move_to_end(key)
            return cached[0]
        try:
            response = await self._http.post(self.token_url, data=form, auth=self._auth)
        except httpx.HTTPError as exc:
            raise IssuerUnavailable(f"the token issuer does not answer ({type(exc).__name__})") from None
        if response.status_code >= 500:
            raise IssuerUnavailable(f"the token issuer failed ({response.status_code})")
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        if response.status_code != 200:
            raise IssuerRefused(body.get("error", str(response.status_code)), body.get("error_description", ""))
        token, expires_in = body["access_token"], int(body.get("expires_in", 300))
        if cache:
            async with self._lock:
                self._cache[key] = (token, time.monotonic() + expires_in)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return token

    async def close(self) -> None:
        await self._http.aclose()

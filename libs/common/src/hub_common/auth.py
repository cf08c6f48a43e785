"""Bearer auth: who is calling, with which role and hubs, proved by a token from the platform's issuer.

Tokens are JWTs signed by the identity service (``hub_identity``) with an asymmetric key. Every other
service, the web app and partners only *verify* them, against the public keys the issuer publishes
as a JWKS: no process but the issuer holds a key that can sign, so a compromised service cannot mint
an operator token for the others (the shared HS256 secret this replaced allowed exactly that).

What is accepted is deliberately narrow: ES256 only (so neither ``alg: none`` nor an HS256 token
"signed" with the public key can pass), a ``kid`` naming a published key, this platform's issuer
and audience, and ``exp``. An unknown ``kid`` makes the verifier fetch the JWKS again at once (the
issuer may have rotated), at most every few seconds, so random kids cannot hammer the issuer.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import httpx
import jwt

from hub_common.errors import Forbidden, ServiceUnavailable, Unauthorized
from hub_common.logging import get_logger

log = get_logger(__name__)

# ``privacy``: the council's data protection team. It handles requests about one person's data (erasure,
# subject access) across every hub and nothing else: it is not hub staff.
# ``councillor``: an elected ward councillor; the ``hubs`` claim names the hubs (wards) they represent.
# They read their hubs' brief, are alerted about new ideas and forum actions and comment in public as a
# councillor; they are not hub staff (nothing a hub's staff do is theirs to do).
Role = Literal["resident", "staff", "partner", "operator", "privacy", "councillor"]
ROLES: tuple[str, ...] = get_args(Role)
# The roles that run a hub: its staff, and operators (who act for every hub).
STAFF_ROLES: tuple[Role, ...] = ("staff", "operator")
# Who may handle privacy requests and read the exports they produce.
PRIVACY_ROLES: tuple[Role, ...] = ("privacy", "operator")
COUNCILLOR: Role = "councillor"
ALGORITHMS: tuple[str, ...] = ("ES256",)  # what the issuer signs with, and all that is accepted
DEFAULT_AUDIENCE = "community-hub"
CLOCK_SKEW_S = 30  # tolerate issuers whose clock runs slightly ahead or behind


@dataclass(frozen=True)
class Principal:
    sub: str
    role: Role
    hubs: tuple[str, ...] = field(default_factory=tuple)
    # The OAuth client the token was issued to (a partner's registry id for partner tokens).
    client_id: str | None = None

    def can_act_for_hub(self, hub_id: str) -> bool:
        """Operators act everywhere; staff, partners and councillors only for the hubs in their token."""
        return self.role == "operator" or hub_id in self.hubs

    def require_hub(self, hub_id: str) -> None:
        if not self.can_act_for_hub(hub_id):
            raise Forbidden(f"your account cannot act for hub {hub_id!r}")

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def is_staff_for(self, hub_id: str) -> bool:
        """Staff of this hub, or an operator."""
        return self.is_staff and self.can_act_for_hub(hub_id)

    def is_councillor_for(self, hub_id: str) -> bool:
        """A councillor who represents this hub (operators are not councillors)."""
        return self.role == COUNCILLOR and hub_id in self.hubs

    def require_councillor_for(self, hub_id: str) -> None:
        """403 unless a councillor of this hub: the check every councillor route makes."""
        self.require_role(COUNCILLOR)
        if hub_id not in self.hubs:
            raise Forbidden(f"you are not a councillor for hub {hub_id!r}")

    def require_staff_for(self, hub_id: str) -> None:
        """403 unless staff of this hub (or an operator): the check every hub-scoped staff route makes."""
        self.require_role(*STAFF_ROLES)
        self.require_hub(hub_id)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """The principal a verified token's claims describe (401 when they are not one of ours)."""
    role, hubs = claims.get("role"), claims.get("hubs", [])
    if role not in ROLES:
        raise Unauthorized(f"unknown role {role!r} in token")
    if not isinstance(hubs, list) or not all(isinstance(h, str) for h in hubs):
        raise Unauthorized("the 'hubs' claim must be a list of hub ids")
    client_id = claims.get("client_id")
    return Principal(
        sub=str(claims["sub"]), role=role, hubs=tuple(hubs), client_id=str(client_id) if client_id else None
    )


# Where the public keys come from: the issuer's JWKS over HTTP, a JWKS given in configuration, or (in
# the identity service itself) its own key store.
KeySource = Callable[[], Awaitable[dict[str, Any]]]


def http_key_source(url: str, *, timeout_s: float = 3.0) -> KeySource:
    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            response = await client.get(url, headers={"accept": "application/json"})
            response.raise_for_status()
            return response.json()

    return fetch


def static_key_source(jwks: dict[str, Any] | str) -> KeySource:
    document = json.loads(jwks) if isinstance(jwks, str) else jwks

    async def fetch() -> dict[str, Any]:
        return document

    return fetch


class TokenVerifier:
    """Checks bearer tokens against the issuer's published keys, cached and refreshed."""

    def __init__(
        self,
        source: KeySource,
        *,
        issuer: str,
        audience: str = DEFAULT_AUDIENCE,
        refresh_s: float = 300.0,
        min_refetch_s: float = 5.0,
    ) -> None:
        self.source, self.issuer, self.audience = source, issuer, audience
        self.refresh_s, self.min_refetch_s = refresh_s, min_refetch_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = self._attempted_at = float("-inf")
        self._lock = asyncio.Lock()

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("the bearer token is not valid") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALGORITHMS:
            raise Unauthorized(f"tokens signed with {alg!r} are not accepted; this platform's issuer signs with ES256")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("the bearer token names no signing key ('kid')")
        key = await self._key(kid)
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=list(ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=CLOCK_SKEW_S,
                options={"require": ["sub", "role", "exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("your sign-in has expired; sign in again") from None
        except jwt.ImmatureSignatureError:
            raise Unauthorized("the bearer token is not valid yet") from None
        except jwt.InvalidAudienceError:
            raise Unauthorized("the bearer token was issued for another audience") from None
        except jwt.InvalidIssuerError:
            raise Unauthorized("the bearer token was issued by someone this platform does not trust") from None
        except jwt.PyJWTError:
            raise Unauthorized("the bearer token is not valid") from None
        return principal_from_claims(claims)

    async def _key(self, kid: str) -> jwt.PyJWK:
        if kid not in self._keys or time.monotonic() - self._fetched_at > self.refresh_s:
            await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("the bearer token was signed with a key the issuer does not publish")
        return key

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._attempted_at < self.min_refetch_s:
                return  # another request refreshed a moment ago (or failed to): not again yet
            self._attempted_at = time.monotonic()
            try:
                document = await self.source()
                keys = jwt.PyJWKSet.from_dict(document).keys
            except (httpx.HTTPError, jwt.PyJWTError, ValueError, KeyError) as exc:
                # Keep what we had: the issuer being away for a while must not sign everyone out.
                log.warning("could not fetch the issuer's keys", error=str(exc), cached_keys=len(self._keys))
                if not self._keys:
                    raise ServiceUnavailable(
                        "cannot check sign-ins right now: the token issuer does not answer"
                    ) from None
                return
            self._keys = {k.key_id: k for k in keys if k.key_id}
            self._fetched_at = time.monotonic()


def verifier_for(settings: Any) -> TokenVerifier:
    """The verifier a service's settings describe (``HUB_AUTH_*``)."""
    if settings.auth_jwks:
        source = static_key_source(settings.auth_jwks)
    else:
        source = http_key_source(settings.auth_jwks_url or settings.auth_issuer.rstrip("/") + "/.well-known/jwks.json")
    return TokenVerifier(source, issuer=settings.auth_issuer, audience=settings.auth_audience)

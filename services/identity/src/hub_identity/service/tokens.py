"""The token endpoint's use cases: who may have a token, naming whom, and the token itself."""

from __future__ import annotations

import asyncio
import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta

from hub_common.auth import ROLES, Role
from hub_common.clock import Clock
from hub_common.logging import get_logger
from hub_identity.adapters.partners import PartnerRepository
from hub_identity.domain.clients import OAuthError, PlatformClient, TokenRequest
from hub_identity.domain.secrets import secret_matches
from hub_identity.service.keys import KeyService

log = get_logger(__name__)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105  (the scheme, not a secret)


class TokenService:
    def __init__(
        self,
        keys: KeyService,
        partners: PartnerRepository,
        clients: dict[str, PlatformClient],
        *,
        clock: Clock,
        issuer: str,
        audience: str,
        partner_ttl_s: int,
        default_ttl_s: int,
    ) -> None:
        self.keys, self.partners, self.clients, self.clock = keys, partners, clients, clock
        self.issuer, self.audience = issuer, audience
        self.partner_ttl_s, self.default_ttl_s = partner_ttl_s, default_ttl_s

    async def client_credentials(self, client_id: str, secret: str) -> IssuedToken:
        """A token for the client itself: a partner, for its granted hubs; a platform client, in its role."""
        platform = self.clients.get(client_id)
        if platform is not None:
            self._check_platform_secret(platform, secret)
            if platform.role is None:
                raise OAuthError("unauthorized_client", "this client may not have a token for itself")
            return await self._issue(TokenRequest(client_id, platform.role, (), self.default_ttl_s, client_id))
        partner = await self.partners.find(client_id)
        # The same answer whether the partner is unknown, revoked or the secret wrong: no registry probing.
        if partner is None or not partner.active or not await _matches(secret, partner.secret_hash or ""):
            log.warning("token refused: client authentication failed", client_id=client_id)
            raise OAuthError("invalid_client", "client authentication failed", status=401)
        hubs = tuple(partner.grants.hubs)
        return await self._issue(TokenRequest(partner.id, "partner", hubs, self.partner_ttl_s, partner.id))

    async def on_behalf_of(
        self, client_id: str, secret: str, *, sub: str, role: str, hubs: list[str], ttl_s: int | None
    ) -> IssuedToken:
        """A token for someone a platform client signed in itself, in a role it may issue for."""
        platform = self.clients.get(client_id)
        if platform is None:
            raise OAuthError("invalid_client", "client authentication failed", status=401)
        self._check_platform_secret(platform, secret)
        if role not in ROLES:
            raise OAuthError("invalid_request", f"unknown role {role!r}")
        if role not in platform.issues_for:
            raise OAuthError("unauthorized_client", f"this client may not ask for {role!r} tokens")
        if not sub or len(sub) > 128:
            raise OAuthError("invalid_request", "'sub' must name whom the token is for (at most 128 characters)")
        ttl = min(ttl_s or self.default_ttl_s, platform.max_ttl_s)
        role_: Role = role  # type: ignore[assignment]
        return await self._issue(TokenRequest(sub, role_, tuple(hubs), ttl, client_id))

    def _check_platform_secret(self, client: PlatformClient, secret: str) -> None:
        if not hmac.compare_digest(secret.encode(), client.secret.encode()):
            log.warning("token refused: client authentication failed", client_id=client.id)
            raise OAuthError("invalid_client", "client authentication failed", status=401)

    async def _issue(self, request: TokenRequest) -> IssuedToken:
        now = self.clock()
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": request.sub,
            "role": request.role,
            "hubs": list(request.hubs),
            "client_id": request.client_id,
            "iat": now,
            "nbf": now,
            "exp": now + timedelta(seconds=request.ttl_s),
            "jti": uuid.uuid4().hex,
        }
        token = await self.keys.sign(claims)
        log.info("token issued", client_id=request.client_id, role=request.role, ttl_s=request.ttl_s)
        return IssuedToken(access_token=token, expires_in=request.ttl_s)


async def _matches(secret: str, stored: str) -> bool:
    # scrypt takes milliseconds of CPU on purpose: off the event loop, so other requests go on.
    return await asyncio.to_thread(secret_matches, secret, stored)

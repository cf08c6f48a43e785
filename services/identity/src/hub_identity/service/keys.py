"""The issuer's signing keys: made, published as a JWKS, rotated without downtime, and used to sign."""

from __future__ import annotations

import json
import secrets
import time
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hub_common.auth import CLOCK_SKEW_S
from hub_common.clock import Clock
from hub_common.logging import get_logger
from hub_common.uow import Transaction, UnitOfWork
from hub_identity.adapters.keys import KeyRingRepository, KeyVault
from hub_identity.domain.keys import KeyRing, SigningKey

log = get_logger(__name__)
RING_CACHE_S = 5.0  # how stale this process's copy of the ring may be (other replicas may rotate)


class KeyService:
    def __init__(
        self,
        uow: UnitOfWork,
        ring: KeyRingRepository,
        vault: KeyVault,
        *,
        clock: Clock,
        publish_ahead: timedelta,
        longest_token: timedelta,
    ) -> None:
        self.uow, self.ring, self.vault, self.clock = uow, ring, vault, clock
        self.publish_ahead = publish_ahead
        # A replaced key stays published until every token it signed has expired (and clocks drifted).
        self.longest_token = longest_token + timedelta(seconds=CLOCK_SKEW_S)
        self._cached: KeyRing | None = None
        self._cached_at = float("-inf")
        self._private: dict[str, Any] = {}  # loaded signing keys by kid: decrypted and parsed once

    async def current_ring(self) -> KeyRing:
        if self._cached is None or time.monotonic() - self._cached_at > RING_CACHE_S:
            ring = await self.ensure_key()
            self._cached, self._cached_at = ring, time.monotonic()
        return self._cached

    async def ensure_key(self) -> KeyRing:
        """The ring, with a first key made if there is none (every replica may try; one wins)."""
        found = await self.ring.find("ring")
        if found is not None:
            return found
        first = KeyRing(keys=[self._new_key(activates_in=timedelta(0))])
        if await self.ring.add_if_missing(first):
            log.info("made the issuer's first signing key", kid=first.keys[0].kid)
            return first
        return await self.ring.get("ring")

    async def jwks(self) -> dict[str, Any]:
        ring = await self.current_ring()
        return {"keys": [k.public_jwk for k in ring.published(self.clock())]}

    async def sign(self, claims: dict[str, Any]) -> str:
        ring = await self.current_ring()
        key = ring.signing(self.clock())
        if key is None:  # the cached copy predates a rotation that removed its key: read it again
            self._cached = None
            ring = await self.current_ring()
            key = ring.signing(self.clock())
        assert key is not None and key.private_key is not None, "the key ring has no signing key"
        private = self._private.get(key.kid)
        if private is None:  # once per key and process, not for every token
            private = serialization.load_pem_private_key(self.vault.open(key.private_key), password=None)
            self._private = {key.kid: private}  # only the signing key is kept: a replaced one goes
        return jwt.encode(claims, private, algorithm="ES256", headers={"kid": key.kid, "typ": "JWT"})

    async def rotate(self, *, immediately: bool = False) -> KeyRing:
        """Publish a new key that signs after ``publish_ahead`` (or now, for a compromised key)."""

        async def work(tx: Transaction) -> KeyRing:
            ring = await self.ring.get("ring", tx.session)
            new = self._new_key(activates_in=timedelta(0) if immediately else self.publish_ahead)
            rotated = ring.rotated(new, now=self.clock(), longest_token=self.longest_token, immediately=immediately)
            await self.ring.save_if_version(rotated, ring.version, tx.session)
            return rotated

        await self.ensure_key()
        rotated = await self.uow.run(work)
        self._cached = None
        log.info("signing key rotation started", kid=rotated.keys[-1].kid, immediately=immediately)
        return rotated

    async def tidy(self) -> None:
        """Drop keys past their removal and private halves that will not sign again (the worker's task)."""

        async def work(tx: Transaction) -> None:
            ring = await self.ring.find("ring", tx.session)
            tidied = ring.tidied(self.clock()) if ring else None
            if ring is not None and tidied is not None:
                await self.ring.save_if_version(tidied, ring.version, tx.session)

        await self.uow.run(work)

    def _new_key(self, *, activates_in: timedelta) -> SigningKey:
        now = self.clock()
        kid = f"{now:%Y%m%d}-{secrets.token_hex(4)}"
        private = ec.generate_private_key(ec.SECP256R1())
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
        return SigningKey(
            kid=kid,
            public_jwk={**public, "kid": kid, "alg": "ES256", "use": "sig"},
            private_key=self.vault.seal(pem),
            created_at=now,
            activates_at=now + activates_in,
        )

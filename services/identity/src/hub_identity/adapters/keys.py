"""The ``key_ring`` collection: one document holding the issuer's signing keys (private halves encrypted)."""

from __future__ import annotations

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository
from hub_common.sealed import Sealer
from hub_identity.domain.keys import KeyRing

KEY_RING = "key_ring"

INDEXES: tuple[IndexSpec, ...] = ()  # one document, read by _id


class KeyRingRepository(Repository[KeyRing]):
    collection_name = KEY_RING
    model = KeyRing
    noun = "key ring"


class KeyVault:
    """Encrypts private keys before they are stored: a copy of the database alone cannot sign."""

    def __init__(self, key_encryption_key: str) -> None:
        self._sealer = Sealer(key_encryption_key, setting="HUB_SIGNING_KEY_ENCRYPTION_KEY")

    def seal(self, pem: bytes) -> str:
        return self._sealer.seal(pem)

    def open(self, sealed: str) -> bytes:
        return self._sealer.open_bytes(sealed)

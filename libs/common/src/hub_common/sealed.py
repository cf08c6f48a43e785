"""Secrets a service must be able to read back (a signing key, a webhook's signing secret), sealed
before they are stored: Fernet (AES-128-CBC with HMAC-SHA256) under a key from the service's
settings, so a copy of the database, a backup or an export alone reveals none of them. Secrets that
are only ever checked (client secrets) are hashed instead, never sealed."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

SEALED_PREFIX = "gAAAA"  # every Fernet token starts so (version byte and timestamp)


class Sealer:
    def __init__(self, key: str, *, setting: str) -> None:
        self._fernet = Fernet(key.encode())
        self._setting = setting  # named in the error when a stored secret cannot be opened

    def seal(self, secret: str | bytes) -> str:
        data = secret.encode() if isinstance(secret, str) else secret
        return self._fernet.encrypt(data).decode()

    def open_bytes(self, sealed: str) -> bytes:
        try:
            return self._fernet.decrypt(sealed.encode())
        except InvalidToken:
            raise RuntimeError(
                f"a stored secret cannot be decrypted: is {self._setting} the key it was sealed with?"
            ) from None

    def open(self, sealed: str) -> str:
        return self.open_bytes(sealed).decode()

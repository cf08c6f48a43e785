"""Client secrets: made here, shown once, stored only as a salted scrypt hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# scrypt's cost: ~16 MiB and a few milliseconds per check, so a stolen table of hashes is slow to guess
# at while a token request stays cheap.
_N, _R, _P = 2**14, 8, 1


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "scrypt$" + "$".join(base64.urlsafe_b64encode(b).decode() for b in (salt, digest))


def secret_matches(secret: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.scrypt(secret.encode(), salt=base64.urlsafe_b64decode(salt), n=_N, r=_R, p=_P)
    except (ValueError, TypeError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)

"""Tokens for tests, signed like the platform's issuer signs them (ES256, a ``kid``, its issuer and audience).

The key is made once per test process and never leaves it; the services under test are given its
public half as an inline JWKS (``HUB_AUTH_JWKS``, set by :func:`hub_testkit.plugin.test_settings`),
so they verify these tokens exactly as they verify the real issuer's. Tests of the issuer itself,
and of key rotation, run the identity service instead.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hub_common.auth import DEFAULT_AUDIENCE, ROLES, Principal, Role, principal_from_claims
from hub_common.settings import DEV_ISSUER

TEST_KID = f"test-{uuid.uuid4().hex[:8]}"
_KEY = ec.generate_private_key(ec.SECP256R1())
TEST_PUBLIC_JWK = {
    **json.loads(jwt.algorithms.ECAlgorithm.to_jwk(_KEY.public_key())),
    "kid": TEST_KID,
    "alg": "ES256",
    "use": "sig",
}
TEST_JWKS = json.dumps({"keys": [TEST_PUBLIC_JWK]})
# The test issuer (hub_testkit.issuer) signs with this same key, so its tokens verify like these.
TEST_PRIVATE_PEM = _KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
)


def issue_token(
    *,
    sub: str,
    role: Role,
    hubs: list[str] | tuple[str, ...] = (),
    ttl: timedelta = timedelta(hours=8),
    issuer: str = DEV_ISSUER,
    audience: str = DEFAULT_AUDIENCE,
    **claims: Any,
) -> str:
    """A token the services under test accept (unless a test changes what makes it valid)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    now = datetime.now(UTC)
    body = {"sub": sub, "role": role, "hubs": list(hubs), "iat": now, "exp": now + ttl, "iss": issuer, "aud": audience}
    return jwt.encode({**body, **claims}, _KEY, algorithm="ES256", headers={"kid": TEST_KID})


def bearer(sub: str, role: Role, hubs: list[str] | tuple[str, ...] = (), **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(sub=sub, role=role, hubs=hubs, **claims)}"}


issue_token.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def decode(token: str) -> Principal:
    """The principal a token from the test kit or the test issuer names (raises when it is not one)."""
    claims = jwt.decode(
        token,
        _KEY.public_key(),
        algorithms=["ES256"],
        audience=DEFAULT_AUDIENCE,
        issuer=DEV_ISSUER,
        options={"require": ["sub", "role", "exp"]},
    )
    return principal_from_claims(claims)

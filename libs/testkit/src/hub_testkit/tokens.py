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
from cryptography.hazmat.primitives.asymmetric import ec

from hub_common.auth import DEFAULT_AUDIENCE, ROLES, Role
from hub_common.settings import DEV_ISSUER

TEST_KID = f"test-{uuid.uuid4().hex[:8]}"
_KEY = ec.generate_private_key(ec.SECP256R1())
TEST_JWKS = json.dumps({"keys": [{**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(_KEY.public_key())), "kid": TEST_KID, "alg": "ES256", "use": "sig"}]})


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

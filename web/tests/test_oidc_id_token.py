"""The ID token checks, on tokens made here with a key of our own: what the web app refuses however a
provider (or someone between it and us) might get a token wrong. The whole flow against the real
provider is in test_oidc_sign_in.py; this is the verification code alone, with the provider's
discovery document and JWKS set on Authlib's client as if it had fetched them."""

from __future__ import annotations

import base64
import hashlib
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from hub_web.oidc import OidcSignIn, SignInRefused
from hub_web.settings import WebSettings

ISSUER = "https://login.council.example/realms/community-hub"
SECRET = "a-client-secret-of-enough-length-0123456789"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # same kid, not the provider's
ACCESS_TOKEN = "an-access-token"


def provider_client() -> OidcSignIn:
    settings = WebSettings(
        session_secret="test-secret-with-enough-length-0123456789",
        oidc_issuer_url=ISSUER,
        oidc_client_id="hub-web",
        oidc_client_secret=SECRET,
        oidc_group_map='{"/hubs/{hub}/staff": {"role": "staff"}}',
    )
    oidc = OidcSignIn(settings)
    oidc._client.server_metadata.update(
        {"issuer": ISSUER, "jwks": {"keys": [KEY.as_dict(private=False)]}, "_loaded_at": time.time()}
    )
    return oidc


def at_hash(token: str) -> str:
    digest = hashlib.sha256(token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def claims(**changes) -> dict:
    now = int(time.time())
    good = {
        "iss": ISSUER, "sub": "person-1", "aud": "hub-web", "azp": "hub-web", "exp": now + 300, "iat": now,
        "nonce": "the-nonce", "at_hash": at_hash(ACCESS_TOKEN), "groups": ["/hubs/hub-northfield/staff"],
    }  # fmt: skip
    good.update(changes)
    return {k: v for k, v in good.items() if v is not None}


def signed(payload: dict, key=KEY, alg: str = "RS256") -> dict:
    return {"id_token": jwt.encode({"alg": alg, "kid": "k1"}, payload, key), "access_token": ACCESS_TOKEN}


async def test_a_good_token_is_accepted() -> None:
    verified = await provider_client()._verified_id_token(signed(claims()), "the-nonce")
    assert verified["sub"] == "person-1"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(signed(claims(iss="https://evil.example/realms/community-hub")), id="another issuer"),
        pytest.param(signed(claims(aud="another-client", azp="another-client")), id="another audience"),
        pytest.param(signed(claims(exp=int(time.time()) - 3600)), id="expired"),
        pytest.param(signed(claims(exp=None)), id="no expiry"),
        pytest.param(signed(claims(nonce="another-nonce")), id="another nonce"),
        pytest.param(signed(claims(nonce=None)), id="no nonce"),
        pytest.param(signed(claims(at_hash=at_hash("another-access-token"))), id="another access token"),
        pytest.param(signed(claims(), key=OTHER_KEY), id="signed by another key"),
        pytest.param(signed(claims(), key=OctKey.import_key(SECRET), alg="HS256"), id="HS256 with the client secret"),
    ],
)
async def test_a_bad_token_is_refused(token: dict) -> None:
    with pytest.raises(SignInRefused) as refused:
        await provider_client()._verified_id_token(token, "the-nonce")
    assert refused.value.status == 400


async def test_an_unsigned_token_is_refused() -> None:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    unsigned = f"{part({'alg': 'none'})}.{part(claims())}."
    with pytest.raises(SignInRefused):
        await provider_client()._verified_id_token({"id_token": unsigned, "access_token": ACCESS_TOKEN}, "the-nonce")

"""Key rotation: a new key is published before it signs, and the old one stays published until the
tokens it signed have expired, so verifiers accept every token throughout; a compromised key can be
withdrawn at once."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from identity_testkit import IdentityApi as Api

from hub_common.errors import Unauthorized


def kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


async def token(api: Api) -> str:
    return (await api.ask()).json()["access_token"]


async def test_a_rotation_keeps_old_and_new_tokens_valid_throughout(api: Api) -> None:
    verifier = api.verifier()
    keys = api.ctx.components.use_cases.keys
    before = await token(api)
    await verifier.verify(before)
    keys.publish_ahead = timedelta(hours=1)
    try:
        response = await api.client.post("/v1/keys/rotate", headers=await api.operator())
        assert response.status_code == 200, response.text
        states = {k["state"] for k in response.json()}
        assert states == {"signing", "next"}
        # Published at once, not signing yet: tokens are still signed by the old key.
        jwks = (await api.client.get("/.well-known/jwks.json")).json()
        assert len(jwks["keys"]) == 2
        assert kid(await token(api)) == kid(before)
        # A second rotation while one is under way is refused.
        again = await api.client.post("/v1/keys/rotate", headers=await api.operator())
        assert again.status_code == 409
    finally:
        keys.publish_ahead = timedelta(0)
    # The next rotation (publish-ahead 0 here) signs at once: fresh tokens use the new key, and the
    # old tokens still verify, with a verifier that cached the old JWKS (it fetches on the unknown kid).
    await api.db["key_ring"].update_one({}, {"$set": {"keys.1.activates_at": keys.clock()}})
    keys._cached = None
    after = await token(api)
    assert kid(after) != kid(before)
    assert (await verifier.verify(after)).sub == "hub-cli"
    assert (await verifier.verify(before)).sub == "hub-cli"


async def test_an_immediate_rotation_withdraws_the_old_key(api: Api) -> None:
    verifier = api.verifier()
    before = await token(api)
    await verifier.verify(before)
    response = await api.client.post("/v1/keys/rotate?immediately=true", headers=await api.operator())
    assert [k["state"] for k in response.json()] == ["signing"]
    after = await token(api)
    assert kid(after) != kid(before)
    await verifier.verify(after)  # the new kid makes the verifier fetch the JWKS again
    with pytest.raises(Unauthorized, match="does not publish"):
        await verifier.verify(before)


async def test_the_keys_are_stored_encrypted(api: Api) -> None:
    await token(api)
    ring = await api.db["key_ring"].find_one({})
    sealed = ring["keys"][0]["private_key"]
    assert "PRIVATE KEY" not in sealed
    assert sealed.startswith("gAAAA")  # a Fernet token

"""``/v1/keys``: the issuer's signing keys, and their rotation (operators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hub_identity.api.deps import Keys, Operator
from hub_identity.api.schemas import KeyOut, ring_view

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.get("", summary="Operators: the published keys and which one signs")
async def list_keys(caller: Operator, keys: Keys) -> list[KeyOut]:
    return ring_view(await keys.current_ring(), keys.clock())


@router.post("/rotate", summary="Operators: publish a new key that signs after the publish-ahead period")
async def rotate(
    caller: Operator,
    keys: Keys,
    immediately: Annotated[
        bool, Query(description="sign with the new key now and withdraw the old ones (a compromised key)")
    ] = False,
) -> list[KeyOut]:
    return ring_view(await keys.rotate(immediately=immediately), keys.clock())

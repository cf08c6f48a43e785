"""Moving a stored vote or answer to an id that names no one (erasure keeps it counted)."""

from __future__ import annotations

import uuid
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from hub_common.repository import Session


async def move_to_anonymous_id(
    collection: AsyncCollection, doc: dict[str, Any], scope: str, session: Session, *, drop: tuple[str, ...] = ()
) -> None:
    """Replace ``doc`` by a copy under ``<scope>:erased-<random>`` (without the ``drop`` fields): it is
    still found and counted with the rest of its survey or round, and no longer anyone's."""
    await collection.delete_one({"_id": doc["_id"]}, session=session)
    anonymous = {k: v for k, v in doc.items() if k not in ("_id", *drop)}
    await collection.insert_one({**anonymous, "_id": f"{scope}:erased-{uuid.uuid4().hex}"}, session=session)

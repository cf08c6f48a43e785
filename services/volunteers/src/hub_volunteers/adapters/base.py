"""What this service's repositories add to ``hub_common.repository.Repository``.

Verbs the base does not have yet and several of our repositories need: writing a document that
may or may not exist, inserting one only if it is missing, and reading documents as stored.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from hub_common.repository import Repository, Session

M = TypeVar("M", bound=BaseModel)


class ServiceRepository(Repository[M]):
    async def put(self, item: M, session: Session = None) -> None:
        """Store ``item`` whatever is stored under its id (insert or replace)."""
        doc = self.to_document(item)
        await self.collection.replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)

    async def add_if_missing(self, item: M, session: Session = None) -> bool:
        """Insert ``item`` unless its id is taken; True if it was inserted."""
        doc = self.to_document(item)
        result = await self.collection.update_one(
            {"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True, session=session
        )
        return result.upserted_id is not None

    async def stored(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """The documents matching ``query`` as stored (``_id`` named ``id``), e.g. for a data export."""
        docs = await self.collection.find(query).to_list()
        return [{("id" if k == "_id" else k): v for k, v in doc.items()} for doc in docs]

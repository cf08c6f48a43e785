"""Aggregates that everyone has from the start, at version 0, and that are stored once first changed
(a person's preferences, a template staff edit)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from hub_common.repository import Repository, Session

M = TypeVar("M", bound=BaseModel)


class VersionedRepository(Repository[M]):
    async def save_version(self, item: M, read_version: int, session: Session = None) -> bool:
        """Store ``item``, the next version of one read at ``read_version`` (0: never stored yet);
        False if someone saved another version meanwhile."""
        if read_version == 0:
            try:
                await self.add(item, session)
            except DuplicateKeyError:
                return False
            return True
        return await self.replace_if_version(item, read_version, session)

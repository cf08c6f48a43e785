"""Saving an aggregate its use case read in the same unit of work: only over the version it read."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from hub_common.concurrency import check_version
from hub_common.repository import Session

T = TypeVar("T")


class Versioned(Protocol):
    async def replace_if_version(self, item: Any, expected_version: int, session: Session = None) -> bool: ...


async def save(repository: Versioned, item: T, read_version: int, session: Session) -> T:
    """Store ``item`` over the document at ``read_version``; 412 if it changed meanwhile."""
    if not await repository.replace_if_version(item, read_version, session):
        check_version(read_version, read_version + 1)  # changed since it was read: 412
    return item

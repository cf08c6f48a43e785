"""Hubs and categories as the report path reads them: through a per-process cache.

Every report needs its hub (located by boundary) and its category; these change a few times a
year, so reading them from MongoDB on every report was most of a report's database work. A change
made through this process is seen at once (the hub and catalogue use cases call :meth:`changed`);
one made through another replica within ``HUB_REFERENCE_CACHE_S``. Staff pages and ETags still
read the database. The composition root builds one for the process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from hub_common.cache import TtlCache
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_issues.adapters.categories import CategoryRepository
from hub_issues.adapters.hubs import HubRepository
from hub_issues.domain.catalogue import Category, category_id
from hub_issues.domain.geo import choose_hub, point_in_boundary
from hub_issues.domain.hub import Hub

T = TypeVar("T")


class ReferenceData:
    def __init__(self, hubs: HubRepository, categories: CategoryRepository, *, ttl_s: float) -> None:
        self._hub_store = hubs
        self._category_store = categories
        self._hubs: TtlCache[str, dict[str, Hub]] = TtlCache(ttl_s)
        self._categories: TtlCache[str, Category | None] = TtlCache(ttl_s)

    async def hubs(self) -> dict[str, Hub]:
        return await self._hubs.get("all", self._hub_store.all)

    async def hub(self, hub_id: str) -> Hub | None:
        return (await self.hubs()).get(hub_id)

    async def default_hub_id(self) -> str | None:
        return next((hub_id for hub_id, hub in sorted((await self.hubs()).items()) if hub.is_default), None)

    async def locate(self, lat: float, lon: float) -> str | None:
        """The hub a point belongs to: the one whose boundary contains it, else the default hub."""
        hubs = await self.hubs()
        containing = [hub_id for hub_id, hub in hubs.items() if point_in_boundary(lat, lon, hub.boundary)]
        return choose_hub(containing, await self.default_hub_id())

    async def category(self, hub_id: str, code: str) -> Category | None:
        return await self._categories.get(
            category_id(hub_id, code), lambda: self._category_store.find_in_hub(hub_id, code)
        )

    def changed(self) -> None:
        """Forget everything held: a hub or category was written."""
        self._hubs.invalidate()
        self._categories.invalidate()


async def changing_reference_data(
    uow: UnitOfWork,
    reference: ReferenceData,
    work: Callable[[Transaction], Awaitable[T]],
    *,
    result_type: Any,
    idempotency: IdempotentRequest | None = None,
) -> T:
    """Write a hub or category; this process's cache of them forgets what it held."""
    try:
        return await uow.run(work, idempotency=idempotency, result_type=result_type)
    finally:
        reference.changed()

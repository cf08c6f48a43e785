"""The catalogue: the categories each hub handles and the questions each one asks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.errors import Conflict, NotFound
from hub_common.http import PageQuery
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_issues.adapters.categories import CategoryRepository
from hub_issues.adapters.hubs import HubRepository
from hub_issues.domain.catalogue import Category
from hub_issues.service.reference import ReferenceData, changing_reference_data
from hub_issues.service.saving import save


class CatalogueService:
    def __init__(
        self,
        uow: UnitOfWork,
        categories: CategoryRepository,
        hubs: HubRepository,
        reference: ReferenceData,
        *,
        clock: Clock,
    ) -> None:
        self.uow = uow
        self.categories = categories
        self.hubs = hubs
        self.reference = reference
        self.clock = clock

    async def create(
        self, caller: Principal, category: Category, idempotency: IdempotentRequest | None = None
    ) -> Category:
        caller.require_staff_for(category.hub_id)
        await self.hubs.get(category.hub_id)
        added = category.added(self.clock())

        async def work(tx: Transaction) -> Category:
            if await self.categories.exists(category.hub_id, category.code, tx.session):
                raise Conflict(f"hub {category.hub_id!r} already has a category {category.code!r}")
            await self.categories.add(added, tx.session)
            return added

        return await changing_reference_data(
            self.uow, self.reference, work, result_type=Category, idempotency=idempotency
        )

    async def update(
        self, caller: Principal, hub_id: str, code: str, changes: Mapping[str, Any], expected_version: int | None
    ) -> Category:
        """Change some fields of a category (its attributes as a whole); the rules are checked again."""
        caller.require_staff_for(hub_id)

        async def work(tx: Transaction) -> Category:
            current = await self._existing(hub_id, code, tx)
            check_version(expected_version, current.version)
            return await save(self.categories, current.changed(changes, self.clock()), current.version, tx.session)

        return await changing_reference_data(self.uow, self.reference, work, result_type=Category)

    async def get(self, hub_id: str, code: str) -> Category:
        return await self._existing(hub_id, code)

    async def _existing(self, hub_id: str, code: str, tx: Transaction | None = None) -> Category:
        category = await self.categories.find_in_hub(hub_id, code, tx.session if tx else None)
        if category is None:
            raise NotFound(f"hub {hub_id!r} has no category {code!r}")
        return category

    async def page(self, hub_id: str, paging: PageQuery) -> tuple[list[Category], str | None]:
        return await self.categories.in_hub(hub_id, paging)

    async def offered(self, hub_id: str | None) -> list[Category]:
        """The Open311 service list: one active category per code (in one hub, or the first hub offering it)."""
        categories = await self.categories.active(hub_id)
        return list({c.code: c for c in reversed(categories)}.values())[::-1]

    async def definition(self, code: str, hub_id: str | None) -> Category | None:
        """The active category an Open311 service definition describes (the first hub's, without a hub)."""
        return await self.categories.first_active(code, hub_id)

    async def add_missing(self, categories: Sequence[Category]) -> None:
        """Demo data: add these categories unless their hub already has them."""
        await self.categories.add_missing(categories)
        self.reference.changed()

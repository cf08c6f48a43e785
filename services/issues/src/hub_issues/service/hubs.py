"""Hubs: the areas the hubs look after, which hub a point belongs to, and the default hub."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.errors import Conflict
from hub_common.http import PageQuery
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_issues.adapters.hubs import HubRepository
from hub_issues.domain.hub import Hub
from hub_issues.service.reference import ReferenceData, changing_reference_data
from hub_issues.service.saving import save


class HubService:
    def __init__(self, uow: UnitOfWork, hubs: HubRepository, reference: ReferenceData, *, clock: Clock) -> None:
        self.uow = uow
        self.hubs = hubs
        self.reference = reference
        self.clock = clock

    async def create(
        self,
        caller: Principal,
        *,
        hub_id: str,
        name: str,
        boundary: dict[str, Any],
        is_default: bool,
        idempotency: IdempotentRequest | None = None,
    ) -> Hub:
        caller.require_staff_for(hub_id)
        hub = Hub.new(hub_id, name, boundary, is_default=is_default, at=self.clock())

        async def work(tx: Transaction) -> Hub:
            if await self.hubs.exists(hub_id, tx.session):
                raise Conflict(f"hub {hub_id!r} already exists")
            if is_default:
                await self.hubs.clear_default(tx.session)
            await self.hubs.add(hub, tx.session)
            return hub

        return await changing_reference_data(self.uow, self.reference, work, result_type=Hub, idempotency=idempotency)

    async def update(
        self, caller: Principal, hub_id: str, changes: Mapping[str, Any], expected_version: int | None
    ) -> Hub:
        caller.require_staff_for(hub_id)
        checked = Hub.checked_changes(changes)

        async def work(tx: Transaction) -> Hub:
            current = await self.hubs.get(hub_id, tx.session)
            check_version(expected_version, current.version)
            if checked.get("is_default"):
                await self.hubs.clear_default(tx.session, keep=hub_id)
            return await save(self.hubs, current.changed(checked, self.clock()), current.version, tx.session)

        return await changing_reference_data(self.uow, self.reference, work, result_type=Hub)

    async def get(self, hub_id: str) -> Hub:
        return await self.hubs.get(hub_id)

    async def exists(self, hub_id: str) -> bool:
        return await self.hubs.exists(hub_id)

    async def page(self, paging: PageQuery) -> tuple[list[Hub], str | None]:
        return await self.hubs.in_order(paging)

    async def locate(self, lat: float, lon: float) -> str | None:
        return await self.reference.locate(lat, lon)

    async def add_missing(self, hubs: Sequence[Hub]) -> None:
        """Demo data: add these hubs unless they exist."""
        await self.hubs.add_missing(hubs)
        self.reference.changed()

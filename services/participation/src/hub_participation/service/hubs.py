"""Hubs open for ideas, and the support threshold each asks for (staff may set their own)."""

from __future__ import annotations

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.errors import NotFound
from hub_common.uow import Transaction, UnitOfWork
from hub_participation.adapters.hubs import IdeaSettingsRepository
from hub_participation.domain.hub import IdeaSettings


class HubService:
    def __init__(
        self, uow: UnitOfWork, settings: IdeaSettingsRepository, *, clock: Clock, default_threshold: int
    ) -> None:
        self.uow = uow
        self.settings = settings
        self.clock = clock
        self.default_threshold = default_threshold

    async def get(self, hub_id: str) -> IdeaSettings:
        found = await self.settings.find(hub_id)
        if found is None:
            raise NotFound(f"hub {hub_id!r} is not open for ideas (its staff open it by setting its threshold)")
        return found

    async def threshold(self, hub_id: str) -> int:
        """The threshold an idea proposed now in this hub asks for (404 for a hub not open for ideas)."""
        return (await self.get(hub_id)).threshold(self.default_threshold)

    async def configure(
        self, caller: Principal, hub_id: str, support_threshold: int | None, expected: int | None
    ) -> IdeaSettings:
        """Open the hub for ideas, or change its threshold (None: the platform's default). Ideas
        proposed earlier keep the threshold their proposers were told."""
        caller.require_staff_for(hub_id)

        async def work(tx: Transaction) -> IdeaSettings:
            now = self.clock()
            current = await self.settings.find(hub_id, tx.session)
            if current is None:
                check_version(expected, 0)
                opened = IdeaSettings(id=hub_id, support_threshold=support_threshold, updated_at=now)
                await self.settings.add(opened, tx.session)
                return opened
            check_version(expected, current.version)
            changed = current.model_copy(
                update={"support_threshold": support_threshold, "version": current.version + 1, "updated_at": now}
            )
            await self.settings.save_if_version(changed, current.version, tx.session)
            return changed

        return await self.uow.run(work)

    async def open_missing(self, hub_ids: list[str]) -> None:
        """Demo data: open these hubs for ideas with the default threshold, unless they are open already."""
        now = self.clock()
        for hub_id in hub_ids:
            await self.settings.add_if_missing(IdeaSettings(id=hub_id, updated_at=now))

"""Assets of Community Value: nominations, the council's decision, moratoria, and the dates the
calendar alone brings about (moratorium ends, listing expiries)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from hub_assets.adapters.acv import NominationRepository
from hub_assets.adapters.assets import AssetRepository
from hub_assets.adapters.locks import AssetLocks
from hub_assets.domain import acv as rules
from hub_assets.domain.acv import AcvStatus, Nomination
from hub_assets.domain.assets import Asset
from hub_assets.domain.bookings import HUB_TIMEZONE
from hub_assets.service.shared import new_id
from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.assets import (
    AcvEvent,
    AcvExpired,
    AcvListed,
    AcvMoratoriumEnded,
    AcvMoratoriumEvent,
    AcvMoratoriumStarted,
    AcvNominated,
    AcvNotListed,
)
from hub_common.errors import Conflict, Forbidden, RuleViolation
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork


def _acv_fields(nomination: Nomination, asset: Asset | None) -> dict[str, Any]:
    return {
        "acv_id": nomination.id,
        "asset_id": nomination.asset_id,
        "hub_id": nomination.hub_id,
        "status": nomination.status,
        "nominated_by": nomination.nominated_by,
        "nominated_on": nomination.nominated_on,
        "decision_due_on": nomination.decision_due_on,
        "decided_on": nomination.decided_on,
        "listed_on": nomination.listed_on,
        "expires_on": nomination.expires_on,
        "review_deadline_on": nomination.review_deadline_on,
        "location": asset.location if asset else None,
    }


def acv_event(cls: type[AcvEvent], nomination: Nomination, asset: Asset | None) -> AcvEvent:
    return cls(**_acv_fields(nomination, asset))


def moratorium_event(cls: type[AcvMoratoriumEvent], nomination: Nomination, asset: Asset | None) -> AcvMoratoriumEvent:
    current = nomination.current_moratorium
    assert current is not None
    return cls(
        **_acv_fields(nomination, asset),
        phase="full" if current.full_ends_on else "interim",
        notice_received_on=current.notice_received_on,
        ends_on=current.ends_on,
        protected_until=current.protected_until,
        community_request_on=current.community_request_on,
    )


class AcvService:
    def __init__(
        self,
        uow: UnitOfWork,
        nominations: NominationRepository,
        assets: AssetRepository,
        locks: AssetLocks,
        *,
        clock: Clock,
    ) -> None:
        self.uow = uow
        self.nominations = nominations
        self.assets = assets
        self.locks = locks
        self.clock = clock

    def today(self) -> date:
        """Today in the hub's time zone: statutory dates are UK calendar days."""
        return self.clock().astimezone(HUB_TIMEZONE).date()

    async def get(self, nomination_id: str) -> Nomination:
        return await self.nominations.get(nomination_id)

    async def listing(
        self, *, hub_id: str | None, status: AcvStatus, limit: int, cursor: str | None
    ) -> tuple[list[Nomination], str | None]:
        return await self.nominations.listing(hub_id=hub_id, status=status, limit=limit, cursor=cursor)

    async def nominate(
        self,
        caller: Principal,
        *,
        asset_id: str,
        nominated_by: str,
        reason: str,
        nominated_on: date | None = None,
        idempotency: IdempotentRequest | None = None,
    ) -> Nomination:
        """A community group (an organisation on the map) nominates a building or space."""

        async def work(tx: Transaction) -> Nomination:
            asset = await self.assets.get(asset_id, tx.session)
            group = await self.assets.find(nominated_by, tx.session)
            if group is None or group.kind != "organisation" or group.status != "active":
                raise RuleViolation("nominated_by must be a community group (an organisation) on the map")
            if asset.kind not in ("space", "room") or asset.status != "active":
                raise RuleViolation("only a building, space or land on the map can be an asset of community value")
            if group.hub_id != asset.hub_id:
                raise RuleViolation("the group and the asset belong to the same hub")
            group_account = caller.role == "partner" and group.owner_id == caller.sub
            if not (caller.is_staff_for(asset.hub_id) or group_account):
                raise Forbidden("a group nominates through the partner account that keeps its entry, or hub staff")
            await self.locks.lock(f"acv:{asset_id}", tx.session)
            if await self.nominations.open_for_asset(asset_id, tx.session) is not None:
                raise Conflict("this asset is already nominated or listed")
            today = self.today()
            on = nominated_on or today
            if on > today:
                raise RuleViolation("a nomination cannot be dated in the future")
            nomination = rules.nominate(
                new_id(), asset_id=asset_id, hub_id=asset.hub_id, nominated_by=nominated_by, reason=reason, on=on
            )
            await self.nominations.add(nomination, tx.session)
            tx.publish(acv_event(AcvNominated, nomination, asset), subject=nomination.id, hub_id=asset.hub_id)
            return nomination

        return await self.uow.run(work, idempotency=idempotency, result_type=Nomination)

    async def decide(
        self,
        caller: Principal,
        nomination_id: str,
        *,
        listed: bool,
        decided_on: date | None,
        reason: str | None,
        expected: int | None = None,
    ) -> Nomination:
        on = decided_on or self.today()
        if on > self.today():
            raise RuleViolation("a decision cannot be dated in the future")
        asset = await self._asset_of(nomination_id)
        return await self._change(
            caller,
            nomination_id,
            lambda n: rules.decide(n, listed=listed, on=on, reason=reason),
            lambda n: acv_event(AcvListed if listed else AcvNotListed, n, asset),
            expected,
        )

    async def notice_of_disposal(
        self, caller: Principal, nomination_id: str, received_on: date, expected: int | None = None
    ) -> Nomination:
        """The owner's notice of intent to sell: the interim moratorium starts."""
        asset = await self._asset_of(nomination_id)
        return await self._change(
            caller,
            nomination_id,
            lambda n: rules.notice_of_disposal(n, received_on),
            lambda n: moratorium_event(AcvMoratoriumStarted, n, asset),
            expected,
        )

    async def community_request(
        self, caller: Principal, nomination_id: str, request_on: date, expected: int | None = None
    ) -> Nomination:
        """A group's request to bid: the full moratorium."""
        asset = await self._asset_of(nomination_id)
        return await self._change(
            caller,
            nomination_id,
            lambda n: rules.community_request(n, request_on),
            lambda n: moratorium_event(AcvMoratoriumStarted, n, asset),
            expected,
        )

    async def _asset_of(self, nomination_id: str) -> Asset | None:
        return await self.assets.find((await self.nominations.get(nomination_id)).asset_id)

    async def _change(
        self,
        caller: Principal,
        nomination_id: str,
        change: Callable[[Nomination], Nomination],
        event: Callable[[Nomination], AcvEvent],
        expected: int | None,
    ) -> Nomination:
        async def work(tx: Transaction) -> Nomination:
            current = await self.nominations.get(nomination_id, tx.session)
            caller.require_staff_for(current.hub_id)
            check_version(expected, current.version)
            nomination = change(current)
            await self.nominations.save_if_version(nomination, current.version, tx.session)
            tx.publish(event(nomination), subject=nomination.id, hub_id=nomination.hub_id)
            return nomination

        return await self.uow.run(work)

    async def advance(self, today: date | None = None) -> int:
        """Periodic: announce ended moratoria and expired listings; returns the changes made."""
        today = today or self.today()
        changed = 0
        for nomination_id in await self.nominations.listed_ids():

            async def work(tx: Transaction, nomination_id: str = nomination_id) -> int:
                current = await self.nominations.get(nomination_id, tx.session)
                due = rules.due_changes(current, today)
                if not due:
                    return 0
                asset = await self.assets.find(current.asset_id, tx.session)
                nomination = current.model_copy(update={"version": current.version + 1})
                if "moratorium_ended" in due:
                    assert nomination.current_moratorium is not None
                    nomination = nomination.model_copy(
                        update={"announced_moratorium_end": nomination.current_moratorium.ends_on}
                    )
                    tx.publish(
                        moratorium_event(AcvMoratoriumEnded, nomination, asset),
                        subject=nomination.id,
                        hub_id=nomination.hub_id,
                    )
                if "expired" in due:
                    nomination = nomination.model_copy(update={"status": "expired"})
                    tx.publish(
                        acv_event(AcvExpired, nomination, asset), subject=nomination.id, hub_id=nomination.hub_id
                    )
                await self.nominations.replace_if_version(nomination, current.version, tx.session)
                return len(due)

            changed += await self.uow.run(work)
        return changed

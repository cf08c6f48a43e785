"""Maintenance of assets: records opened by staff, by an issue report, by a poor check-in or because
an inspection fell due; staff complete them."""

from __future__ import annotations

from hub_assets.adapters.assets import AssetRepository
from hub_assets.adapters.maintenance import MaintenanceRepository
from hub_assets.domain import maintenance as rules
from hub_assets.domain.assets import Asset
from hub_assets.domain.maintenance import MaintenanceRecord
from hub_assets.service.shared import new_id
from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.assets import MaintenanceCompleted, MaintenanceDue, MaintenanceEvent, MaintenanceOpened
from hub_common.contracts.issues import IssueReported
from hub_common.logging import get_logger
from hub_common.uow import Transaction, UnitOfWork

log = get_logger(__name__)


def maintenance_event(cls: type[MaintenanceEvent], record: MaintenanceRecord, asset: Asset) -> MaintenanceEvent:
    return cls(
        maintenance_id=record.id,
        asset_id=record.asset_id,
        hub_id=record.hub_id,
        status=record.status,
        source=record.source,
        summary=record.summary[:500],
        issue_id=record.issue_id,
        opened_at=record.opened_at,
        completed_at=record.completed_at,
        location=asset.location,
    )


async def open_record(
    records: MaintenanceRepository,
    record: MaintenanceRecord,
    asset: Asset,
    tx: Transaction,
    event: type[MaintenanceEvent] = MaintenanceOpened,
) -> MaintenanceRecord:
    """Store a new record and announce it (keyed by the asset)."""
    await records.add(record, tx.session)
    tx.publish(maintenance_event(event, record, asset), subject=asset.id, hub_id=asset.hub_id)
    return record


class MaintenanceService:
    def __init__(self, uow: UnitOfWork, records: MaintenanceRepository, assets: AssetRepository, *, clock: Clock):
        self.uow = uow
        self.records = records
        self.assets = assets
        self.clock = clock

    async def for_asset(
        self, caller: Principal, asset_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[MaintenanceRecord], str | None]:
        asset = await self.assets.get(asset_id)
        caller.require_staff_for(asset.hub_id)
        return await self.records.for_asset(asset_id, limit=limit, cursor=cursor)

    async def open(self, caller: Principal, asset_id: str, summary: str) -> MaintenanceRecord:
        async def work(tx: Transaction) -> MaintenanceRecord:
            asset = await self.assets.get(asset_id, tx.session)
            caller.require_staff_for(asset.hub_id)
            record = MaintenanceRecord(
                id=new_id(),
                asset_id=asset.id,
                hub_id=asset.hub_id,
                source="staff",
                summary=summary,
                opened_at=self.clock(),
            )
            return await open_record(self.records, record, asset, tx)

        return await self.uow.run(work)

    async def open_from_issue(self, issue: IssueReported, tx: Transaction) -> MaintenanceRecord | None:
        """In the consumer's transaction: an issue reported against one of our assets opens maintenance on it."""
        if issue.asset_id is None:
            return None
        record_id = rules.issue_record_id(issue.issue_id)
        if await self.records.exists(record_id, tx.session):
            return None
        asset = await self.assets.find(issue.asset_id, tx.session)
        if asset is None:
            log.warning("issue reported against an unknown asset", issue_id=issue.issue_id, asset_id=issue.asset_id)
            return None
        record = MaintenanceRecord(
            id=record_id,
            asset_id=asset.id,
            hub_id=asset.hub_id,
            source="issue",
            summary=f"{issue.service_name}: {issue.description}".strip()[:500],
            issue_id=issue.issue_id,
            opened_at=self.clock(),
        )
        return await open_record(self.records, record, asset, tx)

    async def complete(self, caller: Principal, record_id: str, notes: str, expected: int | None) -> MaintenanceRecord:
        """Staff close a record; completing an inspection records it on the equipment."""

        async def work(tx: Transaction) -> MaintenanceRecord:
            current = await self.records.get(record_id, tx.session)
            caller.require_staff_for(current.hub_id)
            check_version(expected, current.version)
            record = rules.complete(current, self.clock(), notes)
            await self.records.replace_if_version(record, current.version, tx.session)
            asset = await self.assets.get(record.asset_id, tx.session)
            if record.source == "inspection" and asset.equipment is not None:
                inspected = asset.equipment.model_copy(update={"last_inspected_at": record.completed_at})
                changed = asset.model_copy(
                    update={"equipment": inspected, "version": asset.version + 1, "updated_at": record.completed_at}
                )
                await self.assets.save_if_version(changed, asset.version, tx.session)
            tx.publish(maintenance_event(MaintenanceCompleted, record, asset), subject=asset.id, hub_id=asset.hub_id)
            return record

        return await self.uow.run(work)

    async def open_inspections_due(self) -> int:
        """Periodic: open an inspection record (and announce it) for each item whose inspection fell due."""
        now = self.clock()
        opened = 0
        for asset in await self.assets.with_inspections():
            assert asset.equipment is not None
            due_at = rules.inspection_due_at(
                asset.equipment.inspection_interval_days, asset.equipment.last_inspected_at, asset.created_at
            )
            if due_at is None or due_at > now:
                continue
            record = MaintenanceRecord(
                id=rules.inspection_record_id(asset.id, due_at),
                asset_id=asset.id,
                hub_id=asset.hub_id,
                source="inspection",
                summary=f"inspection due on {due_at.date().isoformat()}",
                opened_at=now,
            )

            async def work(tx: Transaction, asset: Asset = asset, record: MaintenanceRecord = record) -> bool:
                if await self.records.exists(record.id, tx.session):
                    return False
                await open_record(self.records, record, asset, tx, MaintenanceDue)
                return True

            if await self.uow.run(work):
                opened += 1
        return opened

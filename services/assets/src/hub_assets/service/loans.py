"""Equipment loans: reserve, hand over, take back (with the condition), cancel; overdue loans announced."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hub_assets.adapters.assets import AssetRepository
from hub_assets.adapters.loans import LoanRepository
from hub_assets.adapters.locks import AssetLocks
from hub_assets.adapters.maintenance import MaintenanceRepository
from hub_assets.adapters.volunteers import VolunteerRepository
from hub_assets.domain import loans as rules
from hub_assets.domain.assets import Asset
from hub_assets.domain.loans import KnownVolunteer, Loan
from hub_assets.domain.maintenance import MaintenanceRecord
from hub_assets.service.access import require_staff_or_partner_for
from hub_assets.service.maintenance import open_record
from hub_assets.service.shared import Contact, new_id, publish_contact
from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.assets import (
    BorrowerKind,
    Condition,
    LoanCancelled,
    LoanCheckedOut,
    LoanDeclined,
    LoanEvent,
    LoanOverdue,
    LoanRequested,
    LoanReserved,
    LoanReturned,
    LoanStatus,
)
from hub_common.errors import Conflict, NotFound, RuleViolation
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork


def loan_event(cls: type[LoanEvent], loan: Loan, asset: Asset | None, condition: Condition | None = None) -> LoanEvent:
    return cls(
        loan_id=loan.id,
        asset_id=loan.asset_id,
        hub_id=loan.hub_id,
        status=loan.status,
        borrower_kind=loan.borrower_kind,
        borrower_id=loan.borrower_id,
        starts_at=loan.starts_at,
        due_at=loan.due_at,
        quantity=loan.quantity,
        location=asset.location if asset else None,
        condition=condition,
        reason=loan.reason,
    )


class LoanService:
    def __init__(
        self,
        uow: UnitOfWork,
        loans: LoanRepository,
        assets: AssetRepository,
        maintenance: MaintenanceRepository,
        volunteers: VolunteerRepository,
        locks: AssetLocks,
        *,
        clock: Clock,
    ) -> None:
        self.uow = uow
        self.loans = loans
        self.assets = assets
        self.maintenance = maintenance
        self.volunteers = volunteers
        self.locks = locks
        self.clock = clock

    async def reserve(
        self,
        caller: Principal,
        asset_id: str,
        *,
        borrower_kind: BorrowerKind,
        borrower_id: str,
        starts_at: datetime,
        due_at: datetime,
        quantity: int = 1,
        contact: Contact | None = None,
        idempotency: IdempotentRequest | None = None,
    ) -> Loan:
        """Hub staff or partners reserve equipment for dates; the quantity is never over-committed."""

        async def work(tx: Transaction) -> Loan:
            asset = await self._lendable(asset_id, tx)
            await self.locks.lock(asset_id, tx.session)
            require_staff_or_partner_for(caller, asset.hub_id)
            assert asset.equipment is not None
            if borrower_kind == "volunteer":
                await self._check_volunteer(borrower_id, tx)
            now = self.clock()
            rules.check_loan_dates(starts_at, due_at, now, asset.equipment.max_loan_days)
            others = await self.loans.active_for(asset_id, tx.session)
            rules.check_available(asset.equipment.quantity, others, starts_at, due_at, quantity, now)
            loan = Loan(
                id=new_id(),
                asset_id=asset_id,
                hub_id=asset.hub_id,
                borrower_kind=borrower_kind,
                borrower_id=borrower_id,
                quantity=quantity,
                starts_at=starts_at,
                due_at=due_at,
                created_at=now,
                updated_at=now,
            )
            await self.loans.add(loan, tx.session)
            tx.publish(loan_event(LoanReserved, loan, asset), subject=loan.id, hub_id=loan.hub_id)
            if borrower_kind != "organisation":
                publish_contact(tx, borrower_id, contact, asset.hub_id)
            return loan

        return await self.uow.run(work, idempotency=idempotency, result_type=Loan)

    async def _lendable(self, asset_id: str, tx: Transaction) -> Asset:
        asset = await self.assets.find(asset_id, tx.session)
        if asset is None or asset.kind != "equipment":
            raise NotFound(f"there is no equipment {asset_id!r}")
        if asset.status != "active":
            raise Conflict("this equipment is not being lent")
        assert asset.equipment is not None
        if asset.equipment.condition == "broken":
            raise Conflict("this equipment is broken; it cannot be lent until it is repaired")
        return asset

    async def request(
        self,
        caller: Principal,
        asset_id: str,
        *,
        starts_at: datetime,
        due_at: datetime,
        quantity: int = 1,
        notes: str = "",
        contact: Contact | None = None,
        idempotency: IdempotentRequest | None = None,
    ) -> Loan:
        """A resident asks to borrow equipment: a request the hub's staff approve or decline.

        The dates and the quantity free are checked now (so a resident hears at once what cannot be
        lent), and again when staff approve; a request holds no items meanwhile.
        """
        caller.require_role("resident")

        async def work(tx: Transaction) -> Loan:
            asset = await self._lendable(asset_id, tx)
            assert asset.equipment is not None
            now = self.clock()
            rules.check_loan_dates(starts_at, due_at, now, asset.equipment.max_loan_days)
            others = await self.loans.active_for(asset_id, tx.session)
            rules.check_available(asset.equipment.quantity, others, starts_at, due_at, quantity, now)
            loan = Loan(
                id=new_id(),
                asset_id=asset_id,
                hub_id=asset.hub_id,
                borrower_kind="resident",
                borrower_id=caller.sub,
                quantity=quantity,
                starts_at=starts_at,
                due_at=due_at,
                status="requested",
                notes=notes,
                created_at=now,
                updated_at=now,
            )
            await self.loans.add(loan, tx.session)
            tx.publish(loan_event(LoanRequested, loan, asset), subject=loan.id, hub_id=loan.hub_id)
            publish_contact(tx, caller.sub, contact, asset.hub_id)
            return loan

        return await self.uow.run(work, idempotency=idempotency, result_type=Loan)

    async def approve(self, caller: Principal, loan_id: str, expected: int | None = None) -> Loan:
        """Staff approve a request: it becomes a reservation if the quantity is still free (checked
        under the equipment's lock, as a reservation is)."""

        async def work(tx: Transaction) -> Loan:
            current = await self.loans.get(loan_id, tx.session)
            caller.require_staff_for(current.hub_id)
            check_version(expected, current.version)
            if current.status != "requested":
                raise Conflict(f"a {current.status} loan is not a request waiting for a decision")
            asset = await self._lendable(current.asset_id, tx)
            await self.locks.lock(asset.id, tx.session)
            assert asset.equipment is not None
            now = self.clock()
            others = [o for o in await self.loans.active_for(asset.id, tx.session) if o.id != current.id]
            rules.check_available(
                asset.equipment.quantity, others, current.starts_at, current.due_at, current.quantity, now
            )
            loan = rules.transition(current, "reserved", now)
            await self.loans.save_if_version(loan, current.version, tx.session)
            tx.publish(loan_event(LoanReserved, loan, asset), subject=loan.id, hub_id=loan.hub_id)
            return loan

        return await self.uow.run(work)

    async def decline(
        self, caller: Principal, loan_id: str, reason: str | None = None, expected: int | None = None
    ) -> Loan:
        async def work(tx: Transaction) -> Loan:
            current = await self.loans.get(loan_id, tx.session)
            caller.require_staff_for(current.hub_id)
            check_version(expected, current.version)
            loan = rules.transition(current, "declined", self.clock(), reason=reason)
            await self.loans.save_if_version(loan, current.version, tx.session)
            asset = await self.assets.find(loan.asset_id, tx.session)
            tx.publish(loan_event(LoanDeclined, loan, asset), subject=loan.id, hub_id=loan.hub_id)
            return loan

        return await self.uow.run(work)

    async def _check_volunteer(self, volunteer_id: str, tx: Transaction) -> None:
        status = await self.volunteers.status_of(volunteer_id, tx.session)
        if status not in rules.VOLUNTEER_MAY_BORROW:
            raise RuleViolation(
                f"{volunteer_id!r} is not an approved or active volunteer"
                + (f" (status {status})" if status else " known to this hub"),
                errors=[{"field": "borrower_id", "message": "not an approved or active volunteer"}],
            )

    async def record_volunteer(self, volunteer: KnownVolunteer, tx: Transaction) -> bool:
        """From hub.volunteers.events: who may borrow as a volunteer (the latest event time wins)."""
        return await self.volunteers.record(volunteer, tx.session)

    async def get(self, caller: Principal, loan_id: str) -> Loan:
        """One loan, for the hub's staff and partners or its borrower (a 404 for anyone else)."""
        loan = await self.loans.get(loan_id)
        if loan.borrower_id == caller.sub and caller.role == "resident":
            return loan
        if caller.role == "resident":
            raise NotFound(f"there is no loan {loan_id!r}")
        require_staff_or_partner_for(caller, loan.hub_id)
        return loan

    async def mine(
        self, caller: Principal, status: LoanStatus | None, *, limit: int, cursor: str | None
    ) -> tuple[list[Loan], str | None]:
        """The caller's own requests and loans, by due time."""
        return await self.loans.of_borrower(caller.sub, status, limit=limit, cursor=cursor)

    async def in_hub(
        self, caller: Principal, hub_id: str, status: LoanStatus, *, limit: int, cursor: str | None
    ) -> tuple[list[Loan], str | None]:
        require_staff_or_partner_for(caller, hub_id)
        return await self.loans.in_hub(hub_id, status, limit=limit, cursor=cursor)

    async def check_out(
        self, caller: Principal, loan_id: str, condition: Condition, expected: int | None = None
    ) -> Loan:
        return await self._change(
            caller,
            loan_id,
            lambda loan, now: rules.check_out(loan, now, condition),
            LoanCheckedOut,
            expected,
            condition,
        )

    async def check_in(
        self, caller: Principal, loan_id: str, condition: Condition, expected: int | None = None
    ) -> Loan:
        """Take the equipment back: its condition is recorded, and poor or broken opens maintenance."""
        return await self._change(
            caller, loan_id, lambda loan, now: rules.check_in(loan, now, condition), LoanReturned, expected, condition
        )

    async def cancel(self, caller: Principal, loan_id: str, expected: int | None = None) -> Loan:
        """Staff or partners cancel a reservation; a resident their own request or reservation."""
        return await self._change(
            caller,
            loan_id,
            lambda loan, now: rules.transition(loan, "cancelled", now),
            LoanCancelled,
            expected,
            borrower_may=True,
        )

    async def _change(
        self,
        caller: Principal,
        loan_id: str,
        change: Callable[[Loan, datetime], Loan],
        event: type[LoanEvent],
        expected: int | None,
        condition: Condition | None = None,
        *,
        borrower_may: bool = False,
    ) -> Loan:
        async def work(tx: Transaction) -> Loan:
            current = await self.loans.get(loan_id, tx.session)
            if borrower_may and caller.role == "resident":
                rules.may_cancel(current, caller.sub, actor_may_manage=False)
            else:
                require_staff_or_partner_for(caller, current.hub_id)
            check_version(expected, current.version)
            now = self.clock()
            loan = change(current, now)
            await self.loans.save_if_version(loan, current.version, tx.session)
            asset = await self.assets.find(loan.asset_id, tx.session)
            tx.publish(loan_event(event, loan, asset, condition), subject=loan.id, hub_id=loan.hub_id)
            if event is LoanReturned and asset is not None and condition is not None:
                await self._record_condition(asset, condition, now, tx)
            return loan

        return await self.uow.run(work)

    async def _record_condition(self, asset: Asset, condition: Condition, now: datetime, tx: Transaction) -> None:
        assert asset.equipment is not None
        equipment = asset.equipment.model_copy(update={"condition": condition})
        changed = asset.model_copy(update={"equipment": equipment, "version": asset.version + 1, "updated_at": now})
        await self.assets.save_if_version(changed, asset.version, tx.session)
        if rules.needs_maintenance(condition):
            record = MaintenanceRecord(
                id=new_id(),
                asset_id=asset.id,
                hub_id=asset.hub_id,
                source="check_in",
                summary=f"returned in {condition} condition",
                opened_at=now,
            )
            await open_record(self.maintenance, record, asset, tx)

    async def mark_overdue(self) -> int:
        """Periodic: checked-out loans past due become overdue, each announced once."""
        count = 0
        now = self.clock()
        for candidate in await self.loans.overdue_candidates(now):

            async def work(tx: Transaction, loan_id: str = candidate.id) -> bool:
                loan = await self.loans.get(loan_id, tx.session)
                if not rules.overdue(loan, now):
                    return False
                marked = loan.model_copy(update={"overdue_since": now, "version": loan.version + 1, "updated_at": now})
                await self.loans.replace_if_version(marked, loan.version, tx.session)
                asset = await self.assets.find(loan.asset_id, tx.session)
                tx.publish(loan_event(LoanOverdue, marked, asset), subject=loan.id, hub_id=loan.hub_id)
                return True

            if await self.uow.run(work):
                count += 1
        return count

"""The one way hub staff change one of the hub's records (an idea, a budgeting round or proposal): read
it, check they run its hub and read its current version, apply the domain's change, save it and
publish what happened, in one unit of work."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from hub_common.auth import Principal
from hub_common.concurrency import check_version
from hub_common.contracts import EventData
from hub_common.repository import Repository
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork


class HubRecord(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def hub_id(self) -> str: ...
    @property
    def version(self) -> int: ...


A = TypeVar("A", bound=HubRecord)
# (before, after) -> what to publish: one event, several, or none
Events = Callable[[A, A], EventData | Sequence[EventData] | None]


async def change_as_staff(
    uow: UnitOfWork,
    records: Repository[A],
    caller: Principal,
    record_id: str,
    change: Callable[[A], A],
    event: Events[A],
    *,
    expected: int | None = None,
    idempotency: IdempotentRequest | None = None,
    subject: Callable[[A], str] = lambda record: record.id,  # the events' key (a round's, for its proposals)
) -> A:
    async def work(tx: Transaction) -> A:
        record = await records.get(record_id, tx.session)
        caller.require_staff_for(record.hub_id)
        check_version(expected, record.version)
        changed = change(record)
        await records.save_if_version(changed, record.version, tx.session)
        raised = event(record, changed)
        for data in [raised] if isinstance(raised, EventData) else raised or ():
            tx.publish(data, subject=subject(record), hub_id=record.hub_id)
        return changed

    return await uow.run(work, idempotency=idempotency, result_type=records.model)

"""Unit of work: state changes, their events (outbox) and the idempotency record in one transaction.

An event leaves a service only through the outbox: the use case's writes and the outbox records
commit together or not at all, and the relay (``hub_common.relay``) publishes them afterwards.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import uuid
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

import pymongo
from pydantic import TypeAdapter
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from hub_common.contracts import EventData, contract_of
from hub_common.live_processes import transaction_session
from hub_common.mongo import IndexSpec, counting_retries
from hub_common.tracing import current_trace

OUTBOX = "outbox"
IDEMPOTENCY = "idempotency_keys"

T = TypeVar("T")
StagedWrite = Callable[[list[Any], AsyncClientSession], Awaitable[None]]

# Orders records written in the same millisecond by this process (ties broken by the counter).
_sequence = itertools.count()
# A transaction's events are written as one outbox record (more than this many: a record per this
# many), not a record each: a consumer's batch that publishes a hundred status events then costs one
# insert and, once published, one delete, instead of a hundred of each. On the dev database those
# writes (and the change-stream entries each one makes) were a third of the busiest store's work.
EVENTS_PER_RECORD = 100


def backbone_indexes(idempotency_ttl_s: int) -> list[IndexSpec]:
    return [
        IndexSpec(
            OUTBOX,
            (
                IndexModel(
                    [("created_at", ASCENDING), ("seq", ASCENDING)],
                    name="pending_in_order",
                    partialFilterExpression={"status": "pending"},
                ),
            ),
        ),
        IndexSpec(
            IDEMPOTENCY,
            (
                IndexModel([("created_at", ASCENDING)], name="idempotency_ttl", expireAfterSeconds=idempotency_ttl_s),
                IndexModel([("about", ASCENDING)], name="about"),  # erasure finds a person's results
            ),
        ),
    ]


def outbox_records(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A transaction's events (in the order raised) as the outbox records that hold them: pending, in
    the order of their first event, each with up to ``EVENTS_PER_RECORD`` events."""
    records = []
    for start in range(0, len(events), EVENTS_PER_RECORD):
        chunk = events[start : start + EVENTS_PER_RECORD]
        first = chunk[0]
        records.append(
            {
                "_id": first["_id"],
                "status": "pending",
                "created_at": first["created_at"],
                "seq": first["seq"],
                "events": [{k: v for k, v in event.items() if k not in ("status", "seq")} for event in chunk],
            }
        )
    return records


def record_events(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The events an outbox record holds, in order (a record written before records held several is
    one event itself)."""
    return record.get("events", [record])


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before for a different request."""


class IdempotentResultErased(Exception):
    """The request was done, and its stored result was erased at the person's request: a repeat
    is neither answered with it nor done again."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class IdempotentRequest:
    """An ``Idempotency-Key`` scoped to its caller and route, with a fingerprint of the body."""

    key: str
    scope: str
    fingerprint: str
    caller: str = ""  # whose request (a principal's sub; empty when anonymous): erasure finds it by this

    @property
    def record_id(self) -> str:
        return f"{self.scope}|{self.key}"

    @staticmethod
    def of(key: str, *, caller: str, method: str, path: str, body: Any) -> IdempotentRequest:
        canonical = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
        return IdempotentRequest(
            key=key,
            scope=f"{caller}|{method}|{path}",
            fingerprint=hashlib.sha256(canonical.encode()).hexdigest(),
            caller=caller,
        )


def _earlier_result(earlier: dict[str, Any], idempotency: IdempotentRequest, adapter: TypeAdapter) -> Any:
    if earlier["fingerprint"] != idempotency.fingerprint:
        raise IdempotencyConflict(idempotency.key)
    if "result" not in earlier:
        raise IdempotentResultErased(idempotency.key)
    return adapter.validate_python(earlier["result"])


@cache
def _adapter(result_type: Any) -> TypeAdapter:
    return TypeAdapter(result_type)


class Transaction:
    """What a use case sees inside the unit of work: its session and a way to raise events."""

    def __init__(self, db: AsyncDatabase, session: AsyncClientSession, source: str) -> None:
        self.db = db
        self.session = session
        self.source = source
        self._events: list[dict[str, Any]] = []
        self._staged: dict[str, tuple[list[Any], StagedWrite]] = {}
        self._memo: dict[Hashable, Any] = {}
        self._after_commit: list[Callable[[], None]] = []

    def collection(self, name: str) -> AsyncCollection:
        return self.db[name]

    # A consumer's batch of events is one transaction: what many events write to one collection is
    # staged and written by one bulk call before the commit, and what they read that the batch does
    # not change is read once (on SecantusDB each round trip inside a transaction costs milliseconds).

    def stage(self, name: str, item: Any, write: StagedWrite) -> None:
        """Add ``item`` to the writes staged under ``name``; ``write(items, session)`` writes them all,
        at ``flush(name)`` or before the commit, whichever comes first."""
        self._staged.setdefault(name, ([], write))[0].append(item)

    async def flush(self, name: str | None = None) -> None:
        """Write what is staged (under ``name``, or all): a read or update of that collection in this
        transaction must see it, so it is called before them."""
        for key in [name] if name is not None else list(self._staged):
            items, write = self._staged.pop(key, ([], None))
            if items and write is not None:
                await write(items, self.session)

    async def memo(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``'s result, read once per transaction (for what the transaction itself never changes)."""
        if key not in self._memo:
            self._memo[key] = await load()
        return self._memo[key]

    def forget(self, key: Hashable) -> None:
        """The transaction changed what ``key`` was read from: read it again next time."""
        self._memo.pop(key, None)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once this transaction has committed (never if it aborts; an attempt that is
        run again starts with none): how work written in it is handed to this process at once, e.g.
        planned messages to its own delivery, without a round trip through the database."""
        self._after_commit.append(callback)

    def committed(self) -> None:
        for callback in self._after_commit:
            callback()

    async def erase_idempotent_results(self, about: list[str]) -> None:
        """Erasure: the stored results of idempotent requests made by, or about, any of these ids
        (a person, their records) are removed; the records stay, so a repeat of such a request is
        refused (410) instead of done again. A stored result is a whole response: a volunteer's
        phone numbers, a booking's purpose."""
        if about:
            await self.db[IDEMPOTENCY].update_many(
                {"about": {"$in": about}, "result": {"$exists": True}},
                {"$unset": {"result": ""}, "$set": {"result_erased_at": datetime.now(UTC)}},
                session=self.session,
            )

    def publish(self, data: EventData, *, subject: str, hub_id: str | None = None) -> str:
        """Queue an event for the outbox; it is written when the transaction commits."""
        contract = contract_of(data)
        if contract.producer != self.source.rsplit("/", 1)[-1]:
            raise ValueError(f"{self.source} may not publish {contract.type}: it belongs to {contract.producer}")
        trace = current_trace()
        event_id = str(uuid.uuid4())
        self._events.append(
            {
                "_id": event_id,
                "status": "pending",
                "created_at": datetime.now(UTC),
                "seq": next(_sequence),
                "topic": contract.topic,
                "type": contract.type,
                "source": self.source,
                "subject": subject,
                "hub_id": hub_id,
                "traceparent": trace.child().traceparent if trace else None,
                "data": data.model_dump(mode="json"),
            }
        )
        return event_id

    @property
    def pending_events(self) -> list[dict[str, Any]]:
        return list(self._events)


class UnitOfWork:
    """Runs a use case in a MongoDB transaction and writes its outbox records in the same one."""

    def __init__(self, db: AsyncDatabase, source: str, timeout_s: float | None = None) -> None:
        self.db = db
        self.source = source
        # The most one run may take, retries included (None: the driver's own 120 s). An API request
        # caught mid-transaction by a database outage then answers 503 instead of hanging on.
        self.timeout_s = timeout_s

    async def run(
        self,
        work: Callable[[Transaction], Awaitable[T]],
        *,
        idempotency: IdempotentRequest | None = None,
        result_type: type[T] | Any = None,
    ) -> T:
        """Run ``work`` atomically and return its result. Transient errors (write conflicts,
        failover) retry the whole work.

        With an ``idempotency`` request, the result is stored as JSON of ``result_type`` beside the
        change, and a repeat returns that first result, read back as ``result_type``, and does
        nothing else. ``result_type`` is any type pydantic can serialise (a model, ``dict``,
        ``tuple[Model, str]``); it is required with ``idempotency``.
        """
        if idempotency is not None and result_type is None:
            raise TypeError("an idempotent unit of work needs the result_type it returns on a repeat")
        adapter = _adapter(result_type) if idempotency is not None else None

        last: list[Transaction] = []  # the attempt that committed is the last one run

        async def attempt(session: AsyncClientSession) -> T:
            tx = Transaction(self.db, session, self.source)
            last[:] = [tx]
            if idempotency is not None:
                earlier = await self.db[IDEMPOTENCY].find_one({"_id": idempotency.record_id}, session=session)
                if earlier is not None:
                    return _earlier_result(earlier, idempotency, adapter)
            result = await work(tx)
            await tx.flush()
            if tx.pending_events:
                await self.db[OUTBOX].insert_many(outbox_records(tx.pending_events), session=session, ordered=True)
            if idempotency is not None:
                # Whom the result is about, for erasure: the caller and what the request changed.
                about = {idempotency.caller, *(event["subject"] for event in tx.pending_events)} - {""}
                await self.db[IDEMPOTENCY].insert_one(
                    {
                        "_id": idempotency.record_id,
                        "fingerprint": idempotency.fingerprint,
                        "result": adapter.dump_python(result, mode="json"),
                        "about": sorted(about),
                        "created_at": datetime.now(UTC),
                    },
                    session=session,
                )
            return result

        async with transaction_session(self.db.client) as session:
            try:
                with pymongo.timeout(self.timeout_s):
                    result = await session.with_transaction(
                        counting_retries(self.source, attempt),
                        read_concern=ReadConcern("snapshot"),
                        write_concern=WriteConcern("majority"),
                        max_commit_time_ms=10_000,
                    )
                if last:
                    last[0].committed()
                return result
            except DuplicateKeyError:
                if idempotency is None:
                    raise
                # Two requests with one key raced and the other committed first: answer as it did.
                earlier = await self.db[IDEMPOTENCY].find_one({"_id": idempotency.record_id})
                if earlier is None:
                    raise
                return _earlier_result(earlier, idempotency, adapter)

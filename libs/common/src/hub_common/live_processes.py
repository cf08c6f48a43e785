"""The transactions of a process that died are aborted by the processes still running.

A process killed in the middle of a transaction (``kill -9``, the kernel's OOM killer, a lost
container) leaves the transaction open on the server until the server's lifetime limit: 60 s on
MongoDB (``transactionLifetimeLimitSeconds``) and on SecantusDB (fixed). Its uncommitted writes
hold their documents all that time, and whoever takes over its work is exactly who needs them:
the consumer batch a surviving worker is handed after the rebalance is the same events, written
onto the same inbox records, contacts and message ids, so every attempt meets a write conflict and
is retried for a minute. Measured: a notifications worker killed inside a consumer transaction
delayed the reports it had in hand by 60 s.

So each process keeps a lease in its service's database (``live_processes``): its id and the
server sessions its transactions have used, renewed every ``beat_s``. Every process also looks for
leases not renewed for ``stale_after_s`` and sends ``killSessions`` for their sessions, which
aborts their open transactions at once (MongoDB and SecantusDB both), then removes the lease. A
process that was only stalled, not dead, loses its transaction in flight, which the driver starts
again (``NoSuchTransaction`` carries ``TransientTransactionError``), and its next beat restores its
lease. Clocks: leases compare the processes' own clocks, one host's clock under compose.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from bson import Binary
from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from hub_common.logging import get_logger
from hub_common.metrics import DEAD_PROCESSES_CLEARED
from hub_common.mongo import IndexSpec
from hub_common.wake import sleep_unless

log = get_logger(__name__)

LIVE_PROCESSES = "live_processes"
LIVE_PROCESS_INDEXES = IndexSpec(LIVE_PROCESSES, (IndexModel([("renewed_at", ASCENDING)], name="stale_first"),))

# A session not used for a transaction this long is dropped from the lease: pymongo's pool lets an
# idle server session go after ~30 min, and no transaction of ours stays open for minutes.
_FORGET_SESSION_AFTER_S = 600.0

# Which lease records a client's transactions are noted in (one per running service context). A
# registry instead of a parameter because every transaction, the unit of work's and a repository's
# own, starts from the client, and the lease belongs to the client's process as a whole.
_LEASES: dict[int, LiveProcesses] = {}


class LiveProcesses:
    """This process's lease, and the clearing of dead peers' transactions (module docstring)."""

    def __init__(
        self,
        db: AsyncDatabase,
        *,
        service: str,
        beat_s: float = 2.0,
        stale_after_s: float = 8.0,
    ) -> None:
        if stale_after_s <= beat_s:
            raise ValueError("a lease must outlive more than one beat")
        self.db = db
        self.service = service
        self.beat_s = beat_s
        self.stale_after_s = stale_after_s
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._sessions: dict[str, tuple[Binary, float]] = {}  # hex lsid -> (lsid, last used, monotonic)
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    @property
    def _leases(self):
        return self.db[LIVE_PROCESSES]

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Write the lease, register for the client's transactions and keep the lease alive."""
        await self._beat()
        _LEASES[id(self.db.client)] = self
        self._task = asyncio.create_task(self._run(), name=f"process-lease-{self.service}")

    async def close(self) -> None:
        """Stop beating and remove the lease: a process that stops cleanly has nothing to clear."""
        if self._task is None:
            return
        if _LEASES.get(id(self.db.client)) is self:
            del _LEASES[id(self.db.client)]
        self._stop.set()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        with contextlib.suppress(PyMongoError):
            await self._leases.delete_one({"_id": self.process_id})

    async def _run(self) -> None:
        while not self._stop.is_set():
            await sleep_unless(self._stop, self.beat_s)
            try:
                await self._beat()
                await self.clear_dead()
            except PyMongoError as exc:  # the database away: the next beat tries again
                log.warning("cannot renew this process's lease", error=repr(exc))
            except Exception:  # a fault here must not end the beat, which would get us taken for dead
                log.exception("renewing this process's lease failed")

    # -- the lease -----------------------------------------------------------------------------

    async def note(self, session: AsyncClientSession) -> None:
        """Record ``session`` in the lease before a transaction starts on it (a new session only:
        the pool hands the same few back, so after warm-up this writes nothing)."""
        lsid: Binary = session.session_id["id"]
        key = bytes(lsid).hex()
        known = key in self._sessions
        self._sessions[key] = (lsid, time.monotonic())
        if not known:
            await self._leases.update_one(
                {"_id": self.process_id},
                {"$set": {f"sessions.{key}": lsid, "service": self.service, "renewed_at": _now()}},
                upsert=True,
            )

    async def _beat(self) -> None:
        now = time.monotonic()
        forgotten = [key for key, (_, used) in self._sessions.items() if now - used > _FORGET_SESSION_AFTER_S]
        for key in forgotten:
            del self._sessions[key]
        # Every session again, not only new ones: a peer that took this process for dead removed
        # its lease, and the beat puts it back whole.
        update: dict = {
            "$set": {
                "service": self.service,
                "renewed_at": _now(),
                **{f"sessions.{key}": lsid for key, (lsid, _) in self._sessions.items()},
            }
        }
        if forgotten:
            update["$unset"] = {f"sessions.{key}": "" for key in forgotten}
        await self._leases.update_one({"_id": self.process_id}, update, upsert=True)

    # -- dead peers ----------------------------------------------------------------------------

    async def clear_dead(self) -> int:
        """Abort the transactions of every process whose lease went stale, remove those leases and
        return how many there were."""
        cutoff = _now() - timedelta(seconds=self.stale_after_s)
        cleared = 0
        async for lease in self._leases.find({"renewed_at": {"$lt": cutoff}}):
            if lease["_id"] == self.process_id:
                continue  # this process stalled; its own next beat renews it
            sessions = [_binary(lsid) for lsid in (lease.get("sessions") or {}).values()]
            if sessions:
                await self.db.client.admin.command({"killSessions": [{"id": lsid} for lsid in sessions]})
            # Only the lease as read: one renewed meanwhile belongs to a process that came back.
            await self._leases.delete_one({"_id": lease["_id"], "renewed_at": lease["renewed_at"]})
            DEAD_PROCESSES_CLEARED.labels(self.service).inc()
            cleared += 1
            log.warning(
                "aborted the open transactions of a process that stopped renewing its lease",
                process=lease["_id"],
                silent_for_s=round((_now() - lease["renewed_at"]).total_seconds(), 1),
                sessions=len(sessions),
            )
        return cleared


@contextlib.asynccontextmanager
async def transaction_session(client: AsyncMongoClient) -> AsyncIterator[AsyncClientSession]:
    """A session to run a transaction on, noted in this process's lease (when it has one)."""
    async with client.start_session() as session:
        lease = _LEASES.get(id(client))
        if lease is not None:
            await lease.note(session)
        yield session


def _binary(lsid: Binary | uuid.UUID) -> Binary:
    # The service's database reads subtype-4 binaries back as UUIDs.
    return lsid if isinstance(lsid, Binary) else Binary.from_uuid(lsid)


def _now() -> datetime:
    return datetime.now(UTC)

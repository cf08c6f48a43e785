"""MongoDB access through PyMongo's async API, and index bootstrap at start-up."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from bson.codec_options import CodecOptions
from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError

from hub_common.logging import get_logger
from hub_common.metrics import TRANSACTION_RETRIES

T = TypeVar("T")

log = get_logger(__name__)


@dataclass(frozen=True)
class IndexSpec:
    """Indexes one collection needs; created (idempotently) when a service starts."""

    collection: str
    indexes: Sequence[IndexModel] = field(default_factory=tuple)


def create_client(uri: str, app_name: str) -> AsyncMongoClient:
    return AsyncMongoClient(
        uri,
        appname=app_name,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=5000,
        retryWrites=True,
    )


def database(client: AsyncMongoClient, name: str) -> AsyncDatabase:
    return client.get_database(name, codec_options=CodecOptions(tz_aware=True, uuid_representation=4))


async def ensure_indexes(db: AsyncDatabase, specs: Sequence[IndexSpec]) -> None:
    """Create missing indexes. One that exists with the same name and keys is left alone (servers
    differ in the defaults they add, e.g. a 2dsphere version, and some refuse a bare re-create);
    the same name with other keys still fails loudly."""
    for spec in specs:
        if spec.indexes:
            await _ensure_collection_indexes(db[spec.collection], spec.indexes)
    log.info("indexes ensured", collections=[s.collection for s in specs])


# How often a collection's missing indexes are tried again after another replica's were refused.
_RACE_ATTEMPTS = 5


async def _ensure_collection_indexes(collection: AsyncCollection, indexes: Sequence[IndexModel]) -> None:
    for attempt in range(1, _RACE_ATTEMPTS + 1):
        missing = await _missing(collection, indexes)
        if not missing:
            return
        try:
            await collection.create_indexes(missing)
            return
        except OperationFailure as exc:
            # Replicas starting together (compose --scale) race to create the same indexes: the loser
            # is refused (85/86: "an index with this name exists") while the winner is still making
            # the rest of the same list, so what is still missing is asked for again. A conflict that
            # lasts (the same name for other keys) is a real one.
            if exc.code not in (85, 86) or attempt == _RACE_ATTEMPTS:
                raise
            await asyncio.sleep(0.05 * attempt)


async def _missing(collection: AsyncCollection, models: Sequence[IndexModel]) -> list[IndexModel]:
    existing = {ix["name"]: dict(ix["key"]) async for ix in await collection.list_indexes()}
    return [model for model in models if existing.get(model.document["name"]) != dict(model.document["key"])]


def counting_retries(label: str, callback: Callable[[AsyncClientSession], Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """``callback`` for ``session.with_transaction``, counting every run after the first (a write
    conflict or a transient error made the driver run it again) in hub_transaction_retries_total."""
    tries = 0

    async def attempt(session: AsyncClientSession) -> T:
        nonlocal tries
        tries += 1
        if tries > 1:
            TRANSACTION_RETRIES.labels(label).inc()
        return await callback(session)

    return attempt


async def ping(db: AsyncDatabase) -> None:
    await db.command("ping")


TRANSIENT_LABELS = ("TransientTransactionError", "UnknownTransactionCommitResult", "RetryableWriteError")


def is_transient_mongo_error(exc: BaseException) -> bool:
    """A database error that may succeed if tried again (server down, failover, write conflict)."""
    if isinstance(exc, ConnectionFailure):
        return True
    if isinstance(exc, PyMongoError) and exc.timeout:  # e.g. a bounded transaction ran out of time
        return True
    if isinstance(exc, PyMongoError) and any(exc.has_error_label(label) for label in TRANSIENT_LABELS):
        return True
    # WriteConflict (112) outside a labelled transaction error.
    return isinstance(exc, OperationFailure) and exc.code in (112, 189, 91, 11600, 11602, 13436)

"""The one repository convention: a repository per aggregate, the only code that touches its collection.

Every service's ``adapters/`` holds one subclass per aggregate, named ``<Aggregate>Repository``::

    class ShiftRepository(Repository[Shift]):
        collection_name = SHIFTS
        model = Shift
        noun = "shift"

        async def open_in_hub(self, hub_id: str, limit: int, cursor: str | None) -> tuple[list[Shift], str | None]:
            query = {"hub_id": hub_id, "status": "published"}
            return await self.page(query, sort=BY_START, limit=limit, cursor=cursor, hint="by_hub_time_v1")

The base gives every repository the same four verbs: ``get`` (404 when absent), ``add`` (insert),
``replace_if_version`` (optimistic concurrency: only if the stored version is the one the caller
read; ``save_if_version`` answers 412 instead of False) and ``page`` (a cursor page of one of its
list queries). ``find`` is ``get`` that answers None. Each list query and the index hint it
names sit in the repository, beside the ``INDEXES`` declaring that index. Writes take the unit of
work's session, so they commit with the events.

An aggregate is a pydantic model with an ``id``; the document's ``_id`` is that id. Dates and
times of day are stored as ISO strings (BSON has no such types); datetimes stay BSON dates, so
ranges and TTL indexes work. A repository whose documents carry more (search terms, GeoJSON)
overrides :meth:`to_document` and :meth:`from_document`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.errors import NotFound, PreconditionFailed
from hub_common.live_processes import transaction_session
from hub_common.mongo import counting_retries
from hub_common.pagination import DEFAULT_LIMIT, find_page

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
Session = AsyncClientSession | None


def to_document(model: BaseModel, **extra: Any) -> dict[str, Any]:
    """A model as a MongoDB document: ``id`` becomes ``_id``; dates and times become ISO strings."""
    doc = _bsonable(model.model_dump())
    doc["_id"] = doc.pop("id")
    doc.update(extra)
    return doc


def from_document(cls: type[M], doc: Mapping[str, Any], *, drop: Sequence[str] = ()) -> M:
    """The model stored in ``doc`` (fields the model does not declare are ignored, ``drop`` first)."""
    data = {k: v for k, v in doc.items() if k != "_id" and k not in drop}
    return cls.model_validate({**data, "id": doc["_id"]})


def _bsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _bsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_bsonable(v) for v in value]
    if isinstance(value, date | time) and not isinstance(value, datetime):
        return value.isoformat()
    return value


class Repository(Generic[M]):
    collection_name: ClassVar[str]
    model: ClassVar[type[BaseModel]]
    noun: ClassVar[str]  # what a 404 calls it: "there is no shift 'x'"

    def __init__(self, db: AsyncDatabase) -> None:
        self.collection: AsyncCollection = db[self.collection_name]

    # -- mapping (override where documents carry more than the model) --------------------------

    def to_document(self, item: M) -> dict[str, Any]:
        return to_document(item)

    def from_document(self, doc: Mapping[str, Any]) -> M:
        return from_document(self.model, doc)  # type: ignore[return-value]

    async def atomically(self, write: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
        """Run ``write(session)`` in a transaction of its own, for a write outside any unit of work
        that may meet a transaction's uncommitted change (a worker claiming items a consumer's batch
        is updating). SecantusDB makes such a write outside a transaction wait for the other one
        while blocking that transaction's next write on the collection, so both hang (seen under a
        burst); inside a transaction the conflict fails at once and the driver retries it. Real
        MongoDB would not hang, and the transaction costs it little."""
        label = f"{self.collection_name} (outside a unit of work)"
        async with transaction_session(self.collection.database.client) as session:
            return await session.with_transaction(counting_retries(label, write))

    # -- the four verbs ----------------------------------------------------------------------------

    async def find(self, item_id: str, session: Session = None) -> M | None:
        doc = await self.collection.find_one({"_id": item_id}, session=session)
        return self.from_document(doc) if doc is not None else None

    async def get(self, item_id: str, session: Session = None) -> M:
        item = await self.find(item_id, session)
        if item is None:
            raise NotFound(f"there is no {self.noun} {item_id!r}")
        return item

    async def add(self, item: M, session: Session = None) -> None:
        await self.collection.insert_one(self.to_document(item), session=session)

    async def replace_if_version(self, item: M, expected_version: int, session: Session = None) -> bool:
        """Store ``item`` if the stored document is still at ``expected_version``; False if it moved on."""
        result = await self.collection.replace_one(
            {"_id": item.id, "version": expected_version},  # type: ignore[attr-defined]
            self.to_document(item),
            session=session,
        )
        return result.matched_count == 1

    async def put(self, item: M, session: Session = None) -> None:
        """Store ``item`` whatever is stored under its id (insert or replace): for records no one
        edits concurrently, such as read models of another service's events."""
        doc = self.to_document(item)
        await self.collection.replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)

    async def add_if_missing(self, item: M, session: Session = None) -> bool:
        """Insert ``item`` unless its id is taken (a repeat changes nothing); True if it was inserted."""
        doc = self.to_document(item)
        result = await self.collection.update_one(
            {"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True, session=session
        )
        return result.upserted_id is not None

    async def save_if_version(self, item: M, expected_version: int, session: Session = None) -> None:
        """:meth:`replace_if_version`, answering 412 when someone changed the item meanwhile (the use
        case read it at ``expected_version`` in this transaction, so the caller must read it again)."""
        if not await self.replace_if_version(item, expected_version, session):
            raise PreconditionFailed(f"the {self.noun} changed meanwhile; read it again")

    async def page(
        self,
        query: dict[str, Any],
        *,
        sort: Sequence[tuple[str, int]],
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        hint: str | None = None,
        projection: dict[str, Any] | None = None,
    ) -> tuple[list[M], str | None]:
        """One cursor page of ``query`` in ``sort`` order (see :func:`hub_common.pagination.find_page`)."""
        docs, next_cursor = await find_page(
            self.collection, query, sort=sort, limit=limit, cursor=cursor, hint=hint, projection=projection
        )
        return [self.from_document(d) for d in docs], next_cursor

    # -- helpers subclasses share --------------------------------------------------------------

    async def many(self, ids: Sequence[str], session: Session = None) -> dict[str, M]:
        """The items with these ids that exist, by id."""
        if not ids:
            return {}
        docs = await self.collection.find({"_id": {"$in": list(ids)}}, session=session).to_list()
        return {doc["_id"]: self.from_document(doc) for doc in docs}

    async def stored(self, query: dict[str, Any], session: Session = None) -> list[dict[str, Any]]:
        """The documents matching ``query`` as stored (``_id`` named ``id``), e.g. for a data export."""
        docs = await self.collection.find(query, session=session).to_list()
        return [{("id" if k == "_id" else k): v for k, v in doc.items()} for doc in docs]

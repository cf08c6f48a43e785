"""The access audit: who read a person's details, when, which record and why. Append-only.

Every service that shows one person's details to someone else (staff reading a volunteer's record,
the privacy team reading a request or downloading an export) records the read here, in its own
database (``access_audit``). Nothing updates or deletes an entry: the collection is written by
:meth:`AccessAudit.read` alone. The privacy team and operators query it through each service's
``GET /v1/audit/access`` and ``hub privacy audit``. A person reading their own record is not
recorded: the audit answers "who else looked at me?".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from pymongo import DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.auth import PRIVACY_ROLES, Principal
from hub_common.clock import Clock, system_clock
from hub_common.mongo import IndexSpec
from hub_common.pagination import find_page

ACCESS_AUDIT = "access_audit"
NEWEST = (("at", DESCENDING), ("_id", DESCENDING))

AUDIT_INDEXES = IndexSpec(
    ACCESS_AUDIT,
    (
        IndexModel([*NEWEST], name="newest"),
        IndexModel([("person_ids", DESCENDING), *NEWEST], name="by_person"),
        IndexModel([("reader", DESCENDING), *NEWEST], name="by_reader"),
    ),
)


class AccessAudit:
    def __init__(self, db: AsyncDatabase, service: str, *, clock: Clock = system_clock) -> None:
        self.collection = db[ACCESS_AUDIT]
        self.service = service
        self.clock = clock

    async def read(
        self, reader: Principal, *, kind: str, record_ids: Sequence[str], person_ids: Sequence[str], why: str
    ) -> None:
        """``reader`` was shown the details of these people (``record_ids`` of kind ``kind``) for ``why``."""
        others = [person for person in person_ids if person != reader.sub]
        if not others:
            return
        await self.collection.insert_one(
            {
                "_id": uuid.uuid4().hex,
                "at": self.clock(),
                "service": self.service,
                "reader": reader.sub,
                "reader_role": reader.role,
                "kind": kind,
                "record_ids": list(record_ids),
                "person_ids": others,
                "why": why,
            }
        )

    async def entries(
        self,
        caller: Principal,
        *,
        person_id: str | None,
        reader: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first; of one person's records, or of one reader's reads (the privacy team, operators)."""
        caller.require_role(*PRIVACY_ROLES)
        return await self.query(person_id=person_id, reader=reader, limit=limit, cursor=cursor)

    async def query(
        self, *, person_id: str | None = None, reader: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The entries, newest first (for callers already allowed: the API above, the operators' CLI)."""
        query: dict[str, Any] = {}
        hint = "newest"
        if person_id:
            query["person_ids"], hint = person_id, "by_person"
        if reader:
            query["reader"] = reader
            hint = hint if person_id else "by_reader"
        docs, next_cursor = await find_page(self.collection, query, sort=NEWEST, limit=limit, cursor=cursor, hint=hint)
        return [{("id" if k == "_id" else k): v for k, v in doc.items()} for doc in docs], next_cursor

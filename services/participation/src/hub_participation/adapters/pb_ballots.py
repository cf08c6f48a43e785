"""The ``pb_ballots`` collection: one document per voter and round, holding the choices only.

A ballot's ``_id`` is ``<round>:<keyed hash of the voter>`` (:func:`~hub_participation.domain.pb_count.voter_key`):
the database itself keeps one ballot per person and round however many of their submissions arrive
together (a second insert of the id conflicts and, retried, replaces the first), while nothing stored
says whose a ballot is. Erasure moves a counted ballot to ``<round>:erased-<random>``.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from hub_common.errors import Conflict
from hub_common.mongo import IndexSpec
from hub_common.repository import Session
from hub_participation.adapters.anonymous import move_to_anonymous_id

BALLOTS = "pb_ballots"

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(BALLOTS, (IndexModel([("round_id", ASCENDING), ("_id", ASCENDING)], name="by_round"),)),
)


class BallotRepository:
    def __init__(self, db) -> None:
        self.collection = db[BALLOTS]

    async def cast(self, ballot_id: str, round_id: str, choices: tuple[str, ...], session: Session) -> bool:
        """Store the ballot, replacing the voter's earlier one; True if it is their first."""
        doc = {"_id": ballot_id, "round_id": round_id, "choices": list(choices)}
        replaced = await self.collection.replace_one({"_id": ballot_id}, doc, session=session)
        if replaced.matched_count:
            return False
        try:
            await self.collection.insert_one(doc, session=session)
        except DuplicateKeyError:  # their other submission committed in between: theirs was first
            raise Conflict("your ballot was being cast at the same moment; look at it and try again") from None
        return True

    async def choices(self, ballot_id: str, session: Session = None) -> tuple[str, ...] | None:
        doc = await self.collection.find_one({"_id": ballot_id}, {"choices": 1}, session=session)
        return tuple(doc["choices"]) if doc is not None else None

    async def of_round(self, round_id: str, session: Session = None) -> list[tuple[str, ...]]:
        found = self.collection.find({"round_id": round_id}, {"_id": 0, "choices": 1}, session=session)
        return [tuple(doc["choices"]) async for doc in found.hint("by_round")]

    async def with_ids(self, ballot_ids: list[str], session: Session) -> list[dict[str, Any]]:
        return await self.collection.find({"_id": {"$in": ballot_ids}}, session=session).to_list()

    async def withdraw(self, ballot_id: str, session: Session) -> None:
        await self.collection.delete_one({"_id": ballot_id}, session=session)

    async def unlink(self, doc: dict[str, Any], session: Session) -> None:
        """The ballot stays counted, under an id that names no one."""
        await move_to_anonymous_id(self.collection, doc, doc["round_id"], session)

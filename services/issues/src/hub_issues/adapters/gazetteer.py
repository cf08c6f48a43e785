"""The local gazetteer (``gazetteer``): streets, landmarks and postcodes of the hubs, with positions.

The default place finder, so that a deployment without a geocoding service (and ``make run``,
offline) still turns "Green Lane" or "NF1 1AA" into a position. Words are matched through a
``terms`` array with a multikey index (no text index: SecantusDB has none; MongoDB serves it too).
"""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from hub_common import text
from hub_common.mongo import IndexSpec
from hub_issues.domain.places import Place, postcode_key

GAZETTEER = "gazetteer"
CANDIDATES = 200  # places compared per search: a hub's streets and landmarks that share a word
INDEXES = (
    IndexSpec(
        GAZETTEER,
        (
            IndexModel([("terms", ASCENDING)], name="by_term"),
            IndexModel([("postcode", ASCENDING)], name="by_postcode", sparse=True),
        ),
    ),
)


class Gazetteer:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[GAZETTEER]

    async def add_missing(self, places: list[Place]) -> None:
        """Write these places (demo data, or a deployment's own list), each once by its name."""
        writes = [UpdateOne({"_id": p.name.lower()}, {"$setOnInsert": self._document(p)}, upsert=True) for p in places]
        if writes:
            await self.collection.bulk_write(writes, ordered=False)

    async def find(self, query: str, limit: int) -> list[Place]:
        """Places whose name has every word of ``query`` (or the postcode it is), best known first."""
        postcode = postcode_key(query)
        if postcode:
            docs = await self.collection.find({"postcode": postcode}).hint("by_postcode").limit(limit).to_list()
            return [_place(d) for d in docs]
        words = text.terms(query)
        if not words:
            return []
        # What was typed is part of a place's name ("green lane"), the closest names first (the fewest
        # words besides those typed: "Mill Road, Riverside" before "Riverside Library, Mill Road")...
        some = await self.collection.find({"terms": {"$all": words}}).hint("by_term").limit(CANDIDATES).to_list()
        docs = sorted(some, key=lambda d: len(d["terms"]))
        if not docs:
            # ... or a place's whole name is in what was typed ("12 High Street, Northfield"): the most
            # specific such place first.
            some = await self.collection.find({"terms": {"$in": words}}).hint("by_term").limit(CANDIDATES).to_list()
            docs = sorted((d for d in some if set(d["terms"]) <= set(words)), key=lambda d: -len(d["terms"]))
        return [_place(d) for d in docs[:limit]]

    @staticmethod
    def _document(place: Place) -> dict:
        doc = {**place.model_dump(), "terms": text.terms(place.name)}
        if place.kind == "postcode" and (key := postcode_key(place.name)):
            doc["postcode"] = key
        return doc


def _place(doc: dict) -> Place:
    return Place(name=doc["name"], kind=doc["kind"], lat=doc["lat"], lon=doc["lon"])

"""The ``surveys`` and ``survey_answers`` collections.

An answer's ``_id`` is ``<survey>:<respondent>``: the database itself lets each person answer a
survey once, however many of their submissions arrive together (the second insert of the same id
fails, or conflicts and is retried into that failure). Erasure moves an answer to an anonymous id
(``<survey>:erased-<random>``): it is still counted, and no longer anyone's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from hub_common.errors import Conflict
from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.pagination import find_page
from hub_common.repository import Repository, Session
from hub_participation.adapters.anonymous import move_to_anonymous_id
from hub_participation.domain.survey import Survey, SurveyStatus

SURVEYS = "surveys"
ANSWERS = "survey_answers"

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(
        SURVEYS,
        (
            IndexModel(
                [("hub_id", ASCENDING), ("status", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="hub_status_newest",
            ),
            IndexModel([("hub_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)], name="hub_newest"),
            # The worker's look for open surveys past their closing time, every minute.
            IndexModel([("status", ASCENDING), ("closes_at", ASCENDING)], name="closing"),
            # The worker's look for repeating surveys whose next wave is due (only a series' latest
            # wave has a time there), and a series' waves in order for the trend.
            IndexModel([("next_wave_at", ASCENDING)], name="next_wave"),
            IndexModel([("series_id", ASCENDING), ("wave", ASCENDING)], name="series_waves"),
        ),
    ),
    IndexSpec(
        ANSWERS,
        (
            # A survey's answers, for the tally and (in id order) for the pages of free text.
            IndexModel([("survey_id", ASCENDING), ("_id", ASCENDING)], name="by_survey"),
            IndexModel([("respondent", ASCENDING)], name="by_respondent"),
        ),
    ),
)
NEWEST = [("created_at", DESCENDING), ("_id", DESCENDING)]


class SurveyRepository(Repository[Survey]):
    collection_name = SURVEYS
    model = Survey
    noun = "survey"

    async def in_hub(
        self, hub_id: str, status: SurveyStatus | None, paging: PageQuery, *, drafts: bool
    ) -> tuple[list[Survey], str | None]:
        """A hub's surveys, newest first: of one status, or all (drafts only if ``drafts``)."""
        query: dict[str, Any] = {"hub_id": hub_id}
        if status is not None:
            query["status"] = status
        elif not drafts:
            query["status"] = {"$ne": "draft"}
        hint = "hub_status_newest" if status is not None else "hub_newest"  # $ne: filtered on the walk
        return await self.page(query, sort=NEWEST, limit=paging.limit, cursor=paging.cursor, hint=hint)

    async def due_to_close(self, now: datetime, limit: int = 100) -> list[Survey]:
        """Open surveys whose closing time has passed (few: a hub runs a handful at a time)."""
        found = self.collection.find({"status": "open", "closes_at": {"$lte": now}}).hint("closing").limit(limit)
        return [self.from_document(doc) async for doc in found]

    async def due_for_next_wave(self, now: datetime, limit: int = 100) -> list[Survey]:
        """The latest waves of repeating surveys whose next wave is due."""
        found = self.collection.find({"next_wave_at": {"$lte": now}}).hint("next_wave").limit(limit)
        return [self.from_document(doc) async for doc in found]

    async def in_series(self, series_id: str, limit: int = 200) -> list[Survey]:
        """A repeating survey's waves, first to latest (a monthly series makes 12 a year)."""
        found = self.collection.find({"series_id": series_id}).sort("wave", ASCENDING).hint("series_waves")
        return [self.from_document(doc) async for doc in found.limit(limit)]


class AnswerRepository:
    """Residents' answers: each once per survey; read back as (answers, locality) for the tally."""

    def __init__(self, db) -> None:
        self.collection = db[ANSWERS]

    async def add(self, survey_id: str, respondent: str, doc: dict[str, Any], session: Session) -> None:
        try:
            await self.collection.insert_one(
                {"_id": f"{survey_id}:{respondent}", "survey_id": survey_id, "respondent": respondent, **doc},
                session=session,
            )
        except DuplicateKeyError:
            raise Conflict("you have already answered this survey") from None

    async def given_by(self, survey_id: str, respondent: str, session: Session = None) -> bool:
        return (
            await self.collection.find_one({"_id": f"{survey_id}:{respondent}"}, {"_id": 1}, session=session)
            is not None
        )

    async def of_survey(self, survey_id: str, session: Session = None) -> list[dict[str, Any]]:
        projection = {"_id": 0, "answers": 1, "locality": 1}
        found = self.collection.find({"survey_id": survey_id}, projection, session=session)
        return await found.hint("by_survey").to_list()

    async def texts(self, survey_id: str, question_id: str, paging: PageQuery) -> tuple[list[str], str | None]:
        """Free-text answers to one question, without whose they are (a page of them)."""
        query = {"survey_id": survey_id, f"answers.{question_id}": {"$type": "string"}}
        docs, cursor = await find_page(
            self.collection,
            query,
            sort=[("_id", ASCENDING)],
            limit=paging.limit,
            cursor=paging.cursor,
            hint="by_survey",
            projection={f"answers.{question_id}": 1},
        )
        return [doc["answers"][question_id] for doc in docs], cursor

    async def of_people(self, person_ids: list[str], session: Session) -> list[dict[str, Any]]:
        return await self.collection.find({"respondent": {"$in": person_ids}}, session=session).to_list()

    async def unlink(self, doc: dict[str, Any], session: Session) -> None:
        """The answer stays counted, under an id that names no one."""
        await move_to_anonymous_id(self.collection, doc, doc["survey_id"], session, drop=("respondent",))

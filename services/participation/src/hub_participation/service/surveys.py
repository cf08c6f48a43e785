"""Surveys and consultations: staff build, open and close them; residents answer each once.

Answering runs in one transaction that reads the open survey, inserts the answer under
``<survey>:<respondent>`` and counts the respondent on the survey: 50 submissions of one person at
once give one answer (the others conflict and, retried, find it: 409), and the count stays exact.
Only a resident who proved an email address answers (their sub is the keyed hash of the
address, ``hub_common.residents``), as only such a resident votes (``service.pb_ballots``): a
browser's pseudonymous resident (``web-<uuid>``) is a new person whenever cookies are cleared, so
one answer per *its* id is not one per person. There are no partners' answers to vouch for.
Closing computes the anonymous results and publishes them (``survey.closed``) for other services and
partners to use.

A repeating survey's next wave is opened by the worker (:meth:`SurveyService.open_due_waves`, a
scheduled task whose run slot one worker claims): in one transaction the latest wave gives up the
schedule (a version-checked save) and the next is inserted under an id fixed by its series and
number, so however many workers try, and however often after a crash, a wave opens once.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.participation import SurveyClosed, SurveyOpened, SurveyQuestionResult
from hub_common.errors import Conflict, Forbidden, NotFound, RuleViolation
from hub_common.http import PageQuery
from hub_common.repository import Session
from hub_common.residents import require_email_resident
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_participation.adapters.surveys import AnswerRepository, SurveyRepository
from hub_participation.domain.survey import (
    TEMPLATES,
    Question,
    Recurrence,
    Results,
    SeriesTrend,
    Survey,
    SurveyStatus,
    tally,
    wave_trend,
)
from hub_participation.service.closing import close_each


class SurveyDraft(BaseModel):
    hub_id: str
    title: str | None = None
    intro: str | None = None
    questions: tuple[Question, ...] = ()
    localities: tuple[str, ...] = ()
    template: str | None = None
    recurrence: Recurrence | None = None


class Answered(BaseModel):
    survey_id: str
    respondents: int


class SurveyService:
    def __init__(self, uow: UnitOfWork, surveys: SurveyRepository, answers: AnswerRepository, *, clock: Clock) -> None:
        self.uow = uow
        self.surveys = surveys
        self.answers = answers
        self.clock = clock

    async def create(self, caller: Principal, draft: SurveyDraft, idempotency: IdempotentRequest | None) -> Survey:
        """A draft survey for the caller's hub: its own questions, or a template's (Place Standard)."""
        caller.require_staff_for(draft.hub_id)
        questions, title = draft.questions, draft.title
        if draft.template is not None:
            if draft.template not in TEMPLATES:
                raise RuleViolation(f"no survey template {draft.template!r}; there is: {', '.join(TEMPLATES)}")
            template_title, template_questions = TEMPLATES[draft.template]
            questions, title = questions or template_questions(), title or template_title
        if not title:
            raise RuleViolation("a survey needs a title")
        survey = Survey(
            id=uuid.uuid4().hex[:16],
            hub_id=draft.hub_id,
            title=title,
            intro=draft.intro,
            questions=questions,
            localities=draft.localities,
            template=draft.template,
            recurrence=draft.recurrence,
            created_by=caller.sub,
            created_at=self.clock(),
        )

        async def work(tx: Transaction) -> Survey:
            await self.surveys.add(survey, tx.session)
            return survey

        return await self.uow.run(work, idempotency=idempotency, result_type=Survey)

    async def edit(self, caller: Principal, survey_id: str, changes: dict[str, Any], expected: int | None) -> Survey:
        return await self._change(caller, survey_id, expected, lambda s: s.edited(**changes))

    async def open(
        self,
        caller: Principal,
        survey_id: str,
        closes_at: datetime | None,
        expected: int | None,
        *,
        invite_panel: bool = False,
    ) -> Survey:
        """Open it for answers; with ``invite_panel`` notifications asks the hub's citizens' panel."""
        now = self.clock()

        async def publish(tx: Transaction, survey: Survey) -> None:
            _publish_opened(tx, survey, invite_panel)

        return await self._change(
            caller, survey_id, expected, lambda s: s.opened(now, closes_at, invite_panel=invite_panel), publish
        )

    async def close(self, caller: Principal | None, survey_id: str, expected: int | None = None) -> Survey:
        """Close it (staff, or the worker at its closing time: ``caller`` None) and publish its results."""
        now = self.clock()

        async def publish(tx: Transaction, survey: Survey) -> None:
            results = await self.results_of(survey, tx.session)
            tx.publish(
                SurveyClosed(
                    survey_id=survey.id,
                    hub_id=survey.hub_id,
                    title=survey.title,
                    template=survey.template,
                    respondents=results.respondents,
                    results=[SurveyQuestionResult(**q.model_dump()) for q in results.questions],
                    closed_at=now,
                    series_id=survey.series_id,
                    wave=survey.wave if survey.series_id else None,
                ),
                subject=survey.id,
                hub_id=survey.hub_id,
            )

        return await self._change(caller, survey_id, expected, lambda s: s.closed(now), publish)

    async def close_due(self) -> int:
        """The worker's schedule: close every open survey whose closing time has passed."""
        due = await self.surveys.due_to_close(self.clock())
        return await close_each((s.id for s in due), lambda survey_id: self.close(None, survey_id))

    async def open_due_waves(self) -> int:
        """The worker's schedule: open the next wave of every repeating survey that is due; how many
        opened. A wave still open then (its closing not yet run) is closed first, with its results."""
        due = await self.surveys.due_for_next_wave(self.clock())
        for survey in due:
            if survey.status == "open":
                await close_each([survey.id], lambda survey_id: self.close(None, survey_id))
        return await close_each((s.id for s in due), self.open_next_wave)

    async def open_next_wave(self, survey_id: str) -> Survey:
        """Open the wave after ``survey_id`` (the latest of its series); Conflict if it is not due or
        another worker opened it already."""
        now = self.clock()

        async def work(tx: Transaction) -> Survey:
            latest = await self.surveys.get(survey_id, tx.session)
            done, wave = latest.next_wave(now)
            await self.surveys.save_if_version(done, latest.version, tx.session)
            if not await self.surveys.add_if_missing(wave, tx.session):
                raise Conflict(f"wave {wave.wave} of this survey is open already")
            _publish_opened(tx, wave, wave.recurrence is not None and wave.recurrence.invite_panel)
            return wave

        return await self.uow.run(work)

    async def stop_repeating(self, caller: Principal, survey_id: str, expected: int | None) -> Survey:
        """Staff stop a repeating survey: no further wave opens (the open one runs to its end)."""
        now = self.clock()
        return await self._change(caller, survey_id, expected, lambda s: s.stopped_repeating(now))

    async def waves(self, caller: Principal | None, survey_id: str) -> SeriesTrend:
        """A repeating survey's waves and each scale and choice question's figure per wave: closed
        waves for anyone, the open one too for the hub's staff (as with :meth:`results`)."""
        survey = await self.get(caller, survey_id)
        staff = caller is not None and caller.is_staff_for(survey.hub_id)
        series = await self.surveys.in_series(survey.series_id) if survey.series_id else [survey]
        shown = [s for s in series if s.status == "closed" or (staff and s.status == "open")]
        return wave_trend(survey.series_id or survey.id, [(s, await self.results_of(s)) for s in shown])

    async def answer(
        self,
        caller: Principal,
        survey_id: str,
        answers: dict[str, Any],
        locality: str | None,
        idempotency: IdempotentRequest | None = None,
    ) -> Answered:
        require_email_resident(caller, "answer this survey", "one answer")

        async def work(tx: Transaction) -> Answered:
            survey = await self.surveys.get(survey_id, tx.session)
            now = self.clock()
            checked = survey.check_answer(answers, locality, now)
            doc = {"answers": checked, "locality": locality, "answered_at": now}
            await self.answers.add(survey.id, caller.sub, doc, tx.session)
            counted = survey.answered()
            await self.surveys.save_if_version(counted, survey.version, tx.session)
            return Answered(survey_id=survey.id, respondents=counted.respondents)

        return await self.uow.run(work, idempotency=idempotency, result_type=Answered)

    async def get(self, caller: Principal | None, survey_id: str) -> Survey:
        """Anyone may read an open or closed survey; a draft only its hub's staff."""
        survey = await self.surveys.get(survey_id)
        if survey.status == "draft" and not (caller is not None and caller.is_staff_for(survey.hub_id)):
            raise NotFound(f"there is no survey {survey_id!r}")
        return survey

    async def in_hub(
        self, caller: Principal | None, hub_id: str, status: SurveyStatus | None, paging: PageQuery
    ) -> tuple[list[Survey], str | None]:
        staff = caller is not None and caller.is_staff_for(hub_id)
        if status == "draft" and not staff:
            raise Forbidden("only the hub's staff see its draft surveys")
        return await self.surveys.in_hub(hub_id, status, paging, drafts=staff)

    async def answered_by(self, caller: Principal, survey_id: str) -> bool:
        return await self.answers.given_by(survey_id, caller.sub)

    async def results(self, caller: Principal | None, survey_id: str) -> Results:
        """A closed survey's results are public; while it is open, its hub's staff see them."""
        survey = await self.surveys.get(survey_id)
        staff = caller is not None and caller.is_staff_for(survey.hub_id)
        if survey.status != "closed" and not staff:
            raise Forbidden("the results are published when the survey closes")
        return await self.results_of(survey)

    async def results_of(self, survey: Survey, session: Session = None) -> Results:
        stored = await self.answers.of_survey(survey.id, session)
        return tally(survey, [(doc["answers"], doc.get("locality")) for doc in stored])

    async def texts(
        self, caller: Principal, survey_id: str, question_id: str, paging: PageQuery
    ) -> tuple[list[str], str | None]:
        """Free-text answers for the hub's staff, with no one's id beside them."""
        survey = await self.surveys.get(survey_id)
        caller.require_staff_for(survey.hub_id)
        if not any(q.id == question_id and q.kind == "text" for q in survey.questions):
            raise RuleViolation(f"question {question_id!r} is not a free-text question of this survey")
        return await self.answers.texts(survey_id, question_id, paging)

    async def _change(
        self,
        caller: Principal | None,
        survey_id: str,
        expected: int | None,
        change: Callable[[Survey], Survey],
        publish: Callable[[Transaction, Survey], Awaitable[None]] | None = None,
    ) -> Survey:
        """Read, check the caller is the hub's staff (and the version they saw), change, store, publish."""

        async def work(tx: Transaction) -> Survey:
            survey = await self.surveys.get(survey_id, tx.session)
            if caller is not None:
                caller.require_staff_for(survey.hub_id)
            check_version(expected, survey.version)
            changed = change(survey)
            await self.surveys.save_if_version(changed, survey.version, tx.session)
            if publish is not None:
                await publish(tx, changed)
            return changed

        return await self.uow.run(work)


def _publish_opened(tx: Transaction, survey: Survey, invite_panel: bool) -> None:
    tx.publish(
        SurveyOpened(
            survey_id=survey.id,
            hub_id=survey.hub_id,
            title=survey.title,
            template=survey.template,
            questions=len(survey.questions),
            opened_at=survey.opened_at,
            closes_at=survey.closes_at,
            panel_invited=invite_panel,
            series_id=survey.series_id,
            wave=survey.wave if survey.series_id else None,
            next_wave_at=survey.next_wave_at,
        ),
        subject=survey.id,
        hub_id=survey.hub_id,
    )

"""``/v1/surveys``: staff build, open and close surveys; residents answer each once; results are
public once a survey closes. ``/v1/hubs/{hub_id}/surveys`` lists a hub's, and
``/v1/surveys/{survey_id}/waves`` compares a repeating survey's waves;
``/v1/hubs/{hub_id}/satisfaction`` gives its staff the after-fix questionnaire's monthly trend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub_common.http import Caller, Idempotency, IfMatch, OptionalCaller, Paging, StaffForHub, set_etag
from hub_common.pagination import Page
from hub_participation.api.deps import Editor, Resident, Satisfaction, Surveys
from hub_participation.api.survey_schemas import (
    AnsweredOut,
    AnswerIn,
    OpenIn,
    ResultsOut,
    SatisfactionOut,
    SurveyEditIn,
    SurveyIn,
    SurveyOut,
    TextsOut,
    WavesOut,
    satisfaction_view,
    survey_view,
)
from hub_participation.domain.survey import SurveyStatus
from hub_participation.service.satisfaction import MONTH
from hub_participation.service.surveys import SurveyDraft

router = APIRouter(tags=["surveys"])


@router.post("/v1/surveys", status_code=201, summary="Start a survey for your hub, from questions or a template")
async def create_survey(
    body: SurveyIn, response: Response, caller: Editor, surveys: Surveys, idempotency: Idempotency
) -> SurveyOut:
    draft = SurveyDraft(
        hub_id=body.hub_id,
        title=body.title,
        intro=body.intro,
        questions=tuple(body.questions),
        localities=tuple(body.localities),
        template=body.template,
        recurrence=body.recurrence.domain() if body.recurrence is not None else None,
    )
    survey = await surveys.create(caller, draft, idempotency)
    set_etag(response, survey.version)
    response.headers["Location"] = f"/v1/surveys/{survey.id}"
    return survey_view(survey)


@router.get("/v1/surveys/{survey_id}", summary="A survey and its questions (a draft only for its hub's staff)")
async def get_survey(survey_id: str, response: Response, caller: OptionalCaller, surveys: Surveys) -> SurveyOut:
    survey = await surveys.get(caller, survey_id)
    set_etag(response, survey.version)
    return survey_view(survey)


@router.patch("/v1/surveys/{survey_id}", summary="Change a draft survey's wording, questions or areas")
async def edit_survey(
    survey_id: str, body: SurveyEditIn, response: Response, caller: Editor, expected: IfMatch, surveys: Surveys
) -> SurveyOut:
    survey = await surveys.edit(caller, survey_id, body.changes(), expected)
    set_etag(response, survey.version)
    return survey_view(survey)


@router.post("/v1/surveys/{survey_id}/open", summary="Open a draft survey for answers")
async def open_survey(
    survey_id: str, body: OpenIn, response: Response, caller: Editor, expected: IfMatch, surveys: Surveys
) -> SurveyOut:
    survey = await surveys.open(caller, survey_id, body.closes_at, expected, invite_panel=body.invite_panel)
    set_etag(response, survey.version)
    return survey_view(survey)


@router.post("/v1/surveys/{survey_id}/close", summary="Close a survey and publish its anonymous results")
async def close_survey(
    survey_id: str, response: Response, caller: Editor, expected: IfMatch, surveys: Surveys
) -> SurveyOut:
    survey = await surveys.close(caller, survey_id, expected)
    set_etag(response, survey.version)
    return survey_view(survey)


@router.post("/v1/surveys/{survey_id}/stop-repeating", summary="Stop a repeating survey: no further wave opens")
async def stop_repeating(
    survey_id: str, response: Response, caller: Editor, expected: IfMatch, surveys: Surveys
) -> SurveyOut:
    survey = await surveys.stop_repeating(caller, survey_id, expected)
    set_etag(response, survey.version)
    return survey_view(survey)


@router.get("/v1/surveys/{survey_id}/waves", summary="A repeating survey's waves compared: the figure per wave")
async def survey_waves(survey_id: str, caller: OptionalCaller, surveys: Surveys) -> WavesOut:
    trend = await surveys.waves(caller, survey_id)
    return WavesOut(**trend.model_dump())


@router.post(
    "/v1/surveys/{survey_id}/answers",
    status_code=201,
    summary="Answer a survey (residents signed in with their email; once each)",
)
async def answer_survey(
    survey_id: str, body: AnswerIn, caller: Resident, surveys: Surveys, idempotency: Idempotency
) -> AnsweredOut:
    answered = await surveys.answer(caller, survey_id, body.answers, body.locality, idempotency)
    return AnsweredOut(**answered.model_dump())


@router.get("/v1/surveys/{survey_id}/answers/mine", summary="Whether you have answered this survey")
async def answered_by_me(survey_id: str, caller: Caller, surveys: Surveys) -> dict[str, bool]:
    return {"answered": await surveys.answered_by(caller, survey_id)}


@router.get("/v1/surveys/{survey_id}/results", summary="Anonymous results (public once closed; staff meanwhile)")
async def survey_results(survey_id: str, caller: OptionalCaller, surveys: Surveys) -> ResultsOut:
    results = await surveys.results(caller, survey_id)
    return ResultsOut(**results.model_dump())


@router.get(
    "/v1/surveys/{survey_id}/questions/{question_id}/texts", summary="Free-text answers (hub staff; no one's id)"
)
async def free_texts(survey_id: str, question_id: str, caller: Editor, surveys: Surveys, paging: Paging) -> TextsOut:
    texts, cursor = await surveys.texts(caller, survey_id, question_id, paging)
    return TextsOut(items=texts, next_cursor=cursor)


@router.get("/v1/hubs/{hub_id}/surveys", summary="A hub's open and closed surveys (drafts too for its staff)")
async def hub_surveys(
    hub_id: str,
    caller: OptionalCaller,
    surveys: Surveys,
    paging: Paging,
    status: Annotated[SurveyStatus | None, Query(description="only surveys in this state")] = None,
) -> Page[SurveyOut]:
    found, cursor = await surveys.in_hub(caller, hub_id, status, paging)
    return Page[SurveyOut](items=[survey_view(s) for s in found], next_cursor=cursor)


@router.get("/v1/hubs/{hub_id}/satisfaction", summary="The after-fix questionnaire's monthly tallies per category")
async def satisfaction_trend(
    hub_id: str,
    caller: StaffForHub,
    satisfaction: Satisfaction,
    since: Annotated[str | None, Query(pattern=MONTH, description="first month, YYYY-MM (a year ago)")] = None,
    until: Annotated[str | None, Query(pattern=MONTH, description="last month, YYYY-MM (this month)")] = None,
) -> list[SatisfactionOut]:
    now = datetime.now(UTC)
    since = since or (now - timedelta(days=365)).strftime("%Y-%m")
    until = until or now.strftime("%Y-%m")
    return [satisfaction_view(t) for t in await satisfaction.trend(caller, hub_id, since, until)]

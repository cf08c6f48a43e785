"""Request and response schemas of surveys and satisfaction trends (no one's answer, no respondent)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from hub_common.errors import RuleViolation
from hub_participation.domain.satisfaction import SatisfactionMonth
from hub_participation.domain.survey import (
    Question,
    QuestionResult,
    QuestionTrend,
    Recurrence,
    Survey,
    SurveyStatus,
    WaveSummary,
)

LOCALITY = Annotated[str, Field(min_length=1, max_length=80)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecurrenceIn(Strict):
    every_months: int = Field(ge=1, le=12, description="a wave every this many months (3: quarterly)")
    open_days: int = Field(ge=1, le=92, description="how many days each wave is open for answers")

    def domain(self) -> Recurrence:
        try:
            return Recurrence(every_months=self.every_months, open_days=self.open_days)
        except ValueError as exc:
            raise RuleViolation(
                "each wave must close before the next one opens",
                errors=[{"field": "recurrence.open_days", "message": "fewer days than the months between waves"}],
            ) from exc


class SurveyIn(Strict):
    hub_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    title: str | None = Field(default=None, min_length=3, max_length=160, description="a template gives one")
    intro: str | None = Field(default=None, max_length=2000, description="what it is for, and what happens next")
    questions: list[Question] = Field(default_factory=list, max_length=60)
    localities: list[LOCALITY] = Field(default_factory=list, max_length=40, description="areas to answer for")
    template: str | None = Field(default=None, description='"place_standard": its 14 themes on a 1-7 scale')
    recurrence: RecurrenceIn | None = Field(default=None, description="repeat it in waves (a perception survey)")


class SurveyEditIn(Strict):
    title: str | None = Field(default=None, min_length=3, max_length=160)
    intro: str | None = Field(default=None, max_length=2000)
    questions: list[Question] | None = Field(default=None, max_length=60)
    localities: list[LOCALITY] | None = Field(default=None, max_length=40)
    recurrence: RecurrenceIn | None = Field(default=None, description="null: it no longer repeats")

    def changes(self) -> dict[str, Any]:
        changes = self.model_dump(exclude_unset=True, exclude={"questions", "localities", "recurrence"})
        if self.questions is not None:
            changes["questions"] = tuple(self.questions)
        if self.localities is not None:
            changes["localities"] = tuple(self.localities)
        if "recurrence" in self.model_fields_set:
            changes["recurrence"] = self.recurrence.domain() if self.recurrence is not None else None
        return changes


class OpenIn(Strict):
    closes_at: datetime | None = Field(default=None, description="when it closes by itself (and its results go out)")
    invite_panel: bool = Field(default=False, description="ask the hub's citizens' panel to answer it")


class AnswerIn(Strict):
    answers: dict[Annotated[str, Field(max_length=40)], Any] = Field(max_length=60)
    locality: LOCALITY | None = None


class AnsweredOut(BaseModel):
    survey_id: str
    respondents: int


class SurveyOut(BaseModel):
    id: str
    hub_id: str
    title: str
    intro: str | None
    questions: list[Question]
    localities: list[str]
    template: str | None
    status: SurveyStatus
    opened_at: datetime | None
    closes_at: datetime | None
    closed_at: datetime | None
    respondents: int
    recurrence: RecurrenceOut | None = None
    series_id: str | None = None
    wave: int = 1
    next_wave_at: datetime | None = None


class RecurrenceOut(BaseModel):
    every_months: int
    open_days: int
    stopped_at: datetime | None = None


def survey_view(survey: Survey) -> SurveyOut:
    fields = survey.model_dump(exclude={"created_by", "created_at", "version", "recurrence"})
    recurrence = survey.recurrence
    return SurveyOut(
        **fields,
        recurrence=RecurrenceOut(
            every_months=recurrence.every_months, open_days=recurrence.open_days, stopped_at=recurrence.stopped_at
        )
        if recurrence is not None
        else None,
    )


class WavesOut(BaseModel):
    """A repeating survey's waves (closed ones; the open one too for its staff) and, per scale and
    choice question, its figure in each: a scale's mean, each option's share (%) of those answering."""

    series_id: str
    waves: list[WaveSummary]
    questions: list[QuestionTrend]


class ResultsOut(BaseModel):
    survey_id: str
    respondents: int
    questions: list[QuestionResult]


class TextsOut(BaseModel):
    items: list[str]
    next_cursor: str | None = None


class SatisfactionOut(BaseModel):
    month: str
    service_code: str
    answered: int
    fixed: int
    rated: int
    mean_rating: float | None
    ratings: dict[str, int]


def satisfaction_view(tally: SatisfactionMonth) -> SatisfactionOut:
    return SatisfactionOut(
        month=tally.month,
        service_code=tally.service_code,
        answered=tally.answered,
        fixed=tally.fixed,
        rated=tally.rated,
        mean_rating=tally.mean_rating,
        ratings={str(r): tally.ratings.get(str(r), 0) for r in range(1, 6)},
    )

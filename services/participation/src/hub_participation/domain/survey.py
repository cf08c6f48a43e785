"""Surveys and consultations: staff build one from typed questions, open it, and residents answer it once each.

    draft ──open──▶ open ──close──▶ closed

A survey may repeat (:class:`Recurrence`: every N months, each wave open for D days), so that
residents' perception of their place can be followed over time. Opening the first wave starts the
series (its id is the series id); each wave closes when its window ends, and on schedule the worker
opens the next as a copy of the same questions (same series, the next wave number) and stops holding
the schedule on the one before: the schedule lives on the latest wave only (``next_wave_at``), so
one step from it to the next is one transaction, and a repeat finds nothing left to do. The waves'
results side by side (:func:`wave_trend`) show the trend, per scale and choice question.

Questions are edited only in ``draft`` (answers given to one wording are not comparable with
another's). An answer is checked against the questions as the resident gives it; what is counted
(:func:`tally`) is anonymous: how many chose each option, the spread and mean of each scale, the
average place of each ranked option, and how many wrote free text (never the text itself, which can
say who wrote it; staff read it without the writer's id). A survey may ask for the respondent's
locality (one of its ``localities``): scale results are then also given per locality, which is
what the Place Standard tool's spider chart per neighbourhood needs.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from datetime import datetime, timedelta
from statistics import fmean
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub_common.errors import Conflict, RuleViolation

SurveyStatus = Literal["draft", "open", "closed"]
QuestionKind = Literal["single", "multiple", "scale", "text", "ranking"]
QUESTION_ID = r"^[a-z0-9][a-z0-9_-]{0,39}$"
MAX_TEXT = 2000  # characters of one free-text answer


class Question(BaseModel):
    """One question. ``options`` for single/multiple choice and ranking; ``low``..``high`` (with
    optional end labels) for a scale."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=QUESTION_ID)]
    kind: QuestionKind
    text: Annotated[str, Field(min_length=1, max_length=300)]
    help: Annotated[str | None, Field(max_length=600)] = None
    required: bool = True
    options: tuple[Annotated[str, Field(min_length=1, max_length=120)], ...] = ()
    low: int = 1
    high: int = 5
    low_label: Annotated[str | None, Field(max_length=80)] = None
    high_label: Annotated[str | None, Field(max_length=80)] = None

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.kind in ("single", "multiple", "ranking"):
            if len(self.options) < 2:
                raise ValueError(f"a {self.kind} question needs at least two options")
            if len(set(self.options)) != len(self.options):
                raise ValueError("a question's options must differ")
        elif self.options:
            raise ValueError(f"a {self.kind} question has no options")
        if self.kind == "scale" and not (0 <= self.low < self.high <= 10):
            raise ValueError("a scale runs from low to high, within 0 to 10")
        return self

    def check(self, value: Any) -> Any:
        """The answer to this question as stored, or RuleViolation saying what is wrong with it."""
        if value is None or value == "" or value == []:
            if self.required:
                raise RuleViolation(f"question {self.id!r} needs an answer")
            return None
        wrong = RuleViolation(f"that is not an answer to question {self.id!r} ({self.kind})")
        if self.kind == "single":
            if value not in self.options:
                raise wrong
        elif self.kind == "multiple":
            if not isinstance(value, list) or not value or len(set(value)) != len(value):
                raise wrong
            if any(choice not in self.options for choice in value):
                raise wrong
        elif self.kind == "scale":
            if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
                raise RuleViolation(f"question {self.id!r} takes a whole number from {self.low} to {self.high}")
        elif self.kind == "text":
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                raise RuleViolation(f"question {self.id!r} takes text of at most {MAX_TEXT} characters")
            value = value.strip()
        elif self.kind == "ranking" and (not isinstance(value, list) or sorted(value) != sorted(self.options)):
            raise RuleViolation(f"question {self.id!r} wants every option once, in your order")
        return value


class Recurrence(BaseModel):
    """A survey that repeats: a wave every ``every_months`` months (3 is quarterly), each open for
    ``open_days`` days. ``starts_at`` (the first wave's opening) anchors the schedule, so waves keep
    their day of the month however late one opened; ``invite_panel`` is whether each wave asks the
    citizens' panel, as the first did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    every_months: Annotated[int, Field(ge=1, le=12)]
    open_days: Annotated[int, Field(ge=1, le=92)]
    starts_at: datetime | None = None
    invite_panel: bool = False
    stopped_at: datetime | None = None  # staff stopped the series: no further wave opens

    @model_validator(mode="after")
    def _a_wave_closes_before_the_next(self) -> Recurrence:
        # 28 days: the shortest month, so that no wave is still open when the next is due.
        if self.open_days >= self.every_months * 28:
            raise ValueError("each wave must close before the next one opens: keep it open for fewer days")
        return self

    def slot(self, n: int) -> datetime:
        """When wave slot ``n`` (0 = the first wave) is due."""
        assert self.starts_at is not None
        return add_months(self.starts_at, n * self.every_months)

    def first_slot_from(self, moment: datetime) -> datetime:
        """The first slot at or after ``moment`` (slots a stopped worker missed are skipped, not run late
        one after another)."""
        n = 1
        while self.slot(n) < moment:
            n += 1
        return self.slot(n)


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` ``months`` calendar months later, on the same day (the month's last if it is shorter)."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


class Survey(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    hub_id: str
    title: str
    intro: str | None = None
    questions: tuple[Question, ...]
    localities: tuple[str, ...] = ()  # if given, each respondent says which one they answer for
    template: str | None = None  # e.g. "place_standard"
    status: SurveyStatus = "draft"
    created_by: str | None = None
    created_at: datetime
    opened_at: datetime | None = None
    closes_at: datetime | None = None  # when it closes by itself (the worker's schedule), if set
    closed_at: datetime | None = None
    respondents: int = 0
    recurrence: Recurrence | None = None  # it repeats (set in draft; its waves carry a copy)
    series_id: str | None = None  # a repeating survey's waves share it: the first wave's id
    wave: int = 1
    next_wave_at: datetime | None = None  # on the latest wave only: when the next one opens
    version: int = 1

    @model_validator(mode="after")
    def _distinct_questions(self) -> Survey:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError("each question needs its own id")
        return self

    @property
    def repeating(self) -> bool:
        """It will open another wave (unless staff stop it first)."""
        return self.next_wave_at is not None or (self.status == "draft" and self.recurrence is not None)

    def edited(self, **changes: Any) -> Survey:
        if self.status != "draft":
            raise Conflict(f"the survey is {self.status}: its questions can no longer change")
        return self._next(**changes)

    def opened(self, now: datetime, closes_at: datetime | None, *, invite_panel: bool = False) -> Survey:
        if self.status != "draft":
            raise Conflict(f"the survey is {self.status}, not a draft")
        if not self.questions:
            raise Conflict("a survey needs at least one question before it opens")
        if closes_at is not None and closes_at <= now:
            raise RuleViolation("closes_at must be in the future")
        if self.recurrence is None:
            return self._next(status="open", opened_at=now, closes_at=closes_at)
        if closes_at is not None:
            raise RuleViolation("a repeating survey closes by itself after its open length: leave closes_at out")
        recurrence = self.recurrence.model_copy(update={"starts_at": now, "invite_panel": invite_panel})
        return self._next(
            status="open",
            opened_at=now,
            closes_at=now + timedelta(days=recurrence.open_days),
            recurrence=recurrence,
            series_id=self.id,
            wave=1,
            next_wave_at=recurrence.slot(1),
        )

    def next_wave(self, now: datetime) -> tuple[Survey, Survey]:
        """The latest wave, no longer holding the schedule, and the next wave, open from ``now``: the
        same questions, the next number, its window from now (late if the worker was), and the schedule
        (the first slot after that window ends). Conflict if it is not due (e.g. already opened)."""
        if self.next_wave_at is None or self.recurrence is None or self.series_id is None:
            raise Conflict("this survey has no next wave to open")
        if self.next_wave_at > now:
            raise Conflict("the next wave is not due yet")
        if self.status != "closed":
            raise Conflict("the current wave is still open")
        closes_at = now + timedelta(days=self.recurrence.open_days)
        wave = Survey(
            id=wave_id(self.series_id, self.wave + 1),
            hub_id=self.hub_id,
            title=self.title,
            intro=self.intro,
            questions=self.questions,
            localities=self.localities,
            template=self.template,
            status="open",
            created_by=self.created_by,
            created_at=now,
            opened_at=now,
            closes_at=closes_at,
            recurrence=self.recurrence,
            series_id=self.series_id,
            wave=self.wave + 1,
            next_wave_at=self.recurrence.first_slot_from(closes_at),
        )
        return self._next(next_wave_at=None), wave

    def stopped_repeating(self, now: datetime) -> Survey:
        """No further wave opens (this one, if open, runs to its end); a draft simply stops being one
        that repeats."""
        if self.recurrence is None:
            raise Conflict("this survey does not repeat")
        if self.status == "draft":
            return self._next(recurrence=None)
        if self.next_wave_at is None:
            raise Conflict("this wave does not hold the series' schedule: stop it on the latest wave")
        return self._next(next_wave_at=None, recurrence=self.recurrence.model_copy(update={"stopped_at": now}))

    def closed(self, now: datetime) -> Survey:
        if self.status != "open":
            raise Conflict(f"the survey is {self.status}: only an open survey closes")
        return self._next(status="closed", closed_at=now)

    def answered(self) -> Survey:
        return self._next(respondents=self.respondents + 1)

    def check_answer(self, answers: dict[str, Any], locality: str | None, now: datetime) -> dict[str, Any]:
        """The answers as stored, checked against the questions (409 unless open; 422 if wrong)."""
        if self.status != "open" or (self.closes_at is not None and self.closes_at <= now):
            raise Conflict("the survey is not open for answers")
        unknown = set(answers) - {q.id for q in self.questions}
        if unknown:
            raise RuleViolation(f"no such question: {', '.join(sorted(unknown))}")
        if self.localities and locality not in self.localities:
            raise RuleViolation(f"say which area you answer for: one of {', '.join(self.localities)}")
        if not self.localities and locality is not None:
            raise RuleViolation("this survey does not ask for an area")
        return {q.id: q.check(answers.get(q.id)) for q in self.questions}

    def _next(self, **changes: Any) -> Survey:
        return self.model_copy(update={**changes, "version": self.version + 1})


def wave_id(series_id: str, wave: int) -> str:
    """A later wave's id: fixed by its series and number, so two workers opening it make one."""
    return f"{series_id}-w{wave}"


class QuestionResult(BaseModel):
    """What the answers to one question add up to, with nobody's answer in it."""

    question_id: str
    kind: QuestionKind
    text: str
    answered: int
    counts: dict[str, int] = {}  # option (or scale point) -> how many chose it
    mean: float | None = None  # scale: the mean; ranking: -
    average_place: dict[str, float] = {}  # ranking: option -> its mean place (1 = first)
    by_locality: dict[str, float] = {}  # scale: locality -> mean


class Results(BaseModel):
    survey_id: str
    respondents: int
    questions: list[QuestionResult]


def tally(survey: Survey, answers: list[tuple[dict[str, Any], str | None]]) -> Results:
    """The survey's anonymous results from its stored answers (each: the answers, the locality)."""
    results = []
    for q in survey.questions:
        given = [(a[q.id], where) for a, where in answers if a.get(q.id) is not None]
        result = QuestionResult(question_id=q.id, kind=q.kind, text=q.text, answered=len(given))
        if q.kind in ("single", "multiple"):
            counted = Counter(choice for value, _ in given for choice in (value if q.kind == "multiple" else [value]))
            result.counts = {option: counted.get(option, 0) for option in q.options}
        elif q.kind == "scale":
            counted = Counter(value for value, _ in given)
            result.counts = {str(point): counted.get(point, 0) for point in range(q.low, q.high + 1)}
            result.mean = round(fmean(v for v, _ in given), 2) if given else None
            places: dict[str, list[int]] = {}
            for value, where in given:
                if where is not None:
                    places.setdefault(where, []).append(value)
            result.by_locality = {where: round(fmean(values), 2) for where, values in sorted(places.items())}
        elif q.kind == "ranking":
            places_of: dict[str, list[int]] = {option: [] for option in q.options}
            for value, _ in given:
                for place, option in enumerate(value, start=1):
                    places_of[option].append(place)
            result.average_place = {o: round(fmean(p), 2) for o, p in places_of.items() if p}
        results.append(result)
    return Results(survey_id=survey.id, respondents=len(answers), questions=results)


# --- a repeating survey's trend -------------------------------------------------------------------

TRENDED: tuple[QuestionKind, ...] = ("scale", "single", "multiple")


class WaveSummary(BaseModel):
    wave: int
    survey_id: str
    status: SurveyStatus
    opened_at: datetime | None
    closed_at: datetime | None
    respondents: int


class WaveFigure(BaseModel):
    """One question's figure in one wave: a scale's mean, a choice's share (%) of those answering."""

    wave: int
    answered: int
    mean: float | None = None
    shares: dict[str, float] = {}


class QuestionTrend(BaseModel):
    question_id: str
    kind: QuestionKind
    text: str
    waves: list[WaveFigure]
    change: float | None = None  # a scale's mean, last wave less the first (both answered)


class SeriesTrend(BaseModel):
    series_id: str
    waves: list[WaveSummary]
    questions: list[QuestionTrend]


def wave_trend(series_id: str, waves: list[tuple[Survey, Results]]) -> SeriesTrend:
    """Each scale and choice question's figure per wave, in wave order (anonymous: tallies only)."""
    waves = sorted(waves, key=lambda pair: pair[0].wave)
    questions = []
    for q in waves[-1][0].questions if waves else ():
        if q.kind not in TRENDED:
            continue
        figures = []
        for survey, results in waves:
            result = next((r for r in results.questions if r.question_id == q.id), None)
            if result is None:
                continue
            figure = WaveFigure(wave=survey.wave, answered=result.answered, mean=result.mean)
            if q.kind != "scale":
                figure.shares = {
                    option: round(100 * n / result.answered, 1) if result.answered else 0.0
                    for option, n in result.counts.items()
                }
            figures.append(figure)
        means = [f.mean for f in figures if f.mean is not None]
        change = round(means[-1] - means[0], 2) if q.kind == "scale" and len(means) > 1 else None
        questions.append(QuestionTrend(question_id=q.id, kind=q.kind, text=q.text, waves=figures, change=change))
    summaries = [
        WaveSummary(
            wave=s.wave,
            survey_id=s.id,
            status=s.status,
            opened_at=s.opened_at,
            closed_at=s.closed_at,
            respondents=r.respondents,
        )
        for s, r in waves
    ]
    return SeriesTrend(series_id=series_id, waves=summaries, questions=questions)


# --- the Place Standard tool ----------------------------------------------------------------------

# Its 14 themes and questions, each answered on a scale of 1 (a lot of room for improvement) to 7
# (very little room for improvement). See placestandard.scot.
PLACE_STANDARD_THEMES: tuple[tuple[str, str], ...] = (
    ("Moving around", "Can I easily walk and cycle around using good-quality routes?"),
    ("Public transport", "Does public transport meet my needs?"),
    ("Traffic and parking", "Do traffic and parking arrangements allow people to move around safely?"),
    ("Streets and spaces", "Do buildings, streets and public spaces create an attractive place?"),
    ("Natural space", "Can I regularly experience good-quality natural space?"),
    ("Play and recreation", "Can I access a range of spaces with opportunities for play and recreation?"),
    ("Facilities and services", "Do facilities and services meet my needs?"),
    ("Work and local economy", "Is there an active local economy and the chance of good-quality work?"),
    ("Housing and community", "Do the homes in my area support the needs of the community?"),
    ("Social interaction", "Is there a range of spaces and opportunities to meet people?"),
    ("Identity and belonging", "Does this place have a positive identity, and do I feel I belong?"),
    ("Feeling safe", "Do I feel safe?"),
    ("Care and maintenance", "Are buildings and spaces well cared for?"),
    ("Influence and sense of control", "Do I feel able to take part in decisions and help change things?"),
)
PLACE_STANDARD = "place_standard"


def place_standard_questions() -> tuple[Question, ...]:
    return tuple(
        Question(
            id=_slug(theme),
            kind="scale",
            text=question,
            help=theme,
            low=1,
            high=7,
            low_label="A lot of room for improvement",
            high_label="Very little room for improvement",
        )
        for theme, question in PLACE_STANDARD_THEMES
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


TEMPLATES = {PLACE_STANDARD: ("Place Standard: how good is our place?", place_standard_questions)}


class SurveyAnswer(BaseModel):
    """One resident's answer to a survey, as stored (``respondent`` goes at erasure; the rest stays)."""

    model_config = ConfigDict(frozen=True)

    survey_id: str
    respondent: str | None
    answers: dict[str, Any]
    locality: str | None = None
    answered_at: datetime

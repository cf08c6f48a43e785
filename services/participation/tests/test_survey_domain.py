"""Surveys without a database: what a question accepts, the transitions, and the anonymous tally."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from hub_common.errors import Conflict, RuleViolation
from hub_participation.domain.survey import (
    PLACE_STANDARD_THEMES,
    Question,
    Recurrence,
    Survey,
    add_months,
    place_standard_questions,
    tally,
    wave_trend,
)

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
SINGLE = Question(id="park", kind="single", text="Which park?", options=("North", "South"))
MULTI = Question(id="uses", kind="multiple", text="What for?", options=("walk", "play", "sport"), required=False)
SCALE = Question(id="safe", kind="scale", text="How safe?", low=1, high=5)
TEXT = Question(id="why", kind="text", text="Why?", required=False)
RANK = Question(id="order", kind="ranking", text="Rank them", options=("bins", "lights", "benches"))


def survey(**changes) -> Survey:
    fields = {
        "id": "s1",
        "hub_id": "hub-northfield",
        "title": "Parks",
        "questions": (SINGLE, MULTI, SCALE, TEXT, RANK),
        "created_at": NOW,
        **changes,
    }
    return Survey(**fields)


def test_a_question_is_checked_for_its_kind() -> None:
    with pytest.raises(ValidationError):
        Question(id="x", kind="single", text="?", options=("only one",))
    with pytest.raises(ValidationError):
        Question(id="x", kind="scale", text="?", low=5, high=5)
    with pytest.raises(ValidationError):
        Question(id="x", kind="text", text="?", options=("a", "b"))
    with pytest.raises(ValidationError):
        Question(id="Bad Id!", kind="text", text="?")
    with pytest.raises(ValidationError):
        survey(questions=(SINGLE, SINGLE))  # two questions with one id


@pytest.mark.parametrize(
    ("question", "value"),
    [
        (SINGLE, "East"),
        (MULTI, ["walk", "walk"]),
        (MULTI, ["swim"]),
        (SCALE, 6),
        (SCALE, True),
        (SCALE, "3"),
        (TEXT, "x" * 2001),
        (RANK, ["bins", "lights"]),
        (RANK, ["bins", "bins", "lights"]),
    ],
)
def test_an_answer_that_does_not_fit_its_question_is_refused(question: Question, value) -> None:
    with pytest.raises(RuleViolation):
        question.check(value)


def test_answers_are_taken_only_while_open_and_every_required_question_is_answered() -> None:
    draft = survey()
    good = {"park": "North", "safe": 4, "order": ["lights", "bins", "benches"]}
    with pytest.raises(Conflict):
        draft.check_answer(good, None, NOW)
    opened = draft.opened(NOW, NOW + timedelta(days=7))
    assert opened.check_answer(good, None, NOW) == {**good, "uses": None, "why": None}
    with pytest.raises(RuleViolation):
        opened.check_answer({"park": "North", "safe": 4}, None, NOW)  # the ranking is required
    with pytest.raises(RuleViolation):
        opened.check_answer({**good, "extra": 1}, None, NOW)
    with pytest.raises(RuleViolation):
        opened.check_answer(good, "Northfield", NOW)  # it asks for no area
    with pytest.raises(Conflict):
        opened.check_answer(good, None, NOW + timedelta(days=8))  # past its closing time
    with pytest.raises(Conflict):
        opened.edited(title="Parks again")
    closed = opened.closed(NOW)
    with pytest.raises(Conflict):
        closed.closed(NOW)
    with pytest.raises(Conflict):
        survey(questions=()).opened(NOW, None)
    with pytest.raises(RuleViolation):
        draft.opened(NOW, NOW - timedelta(minutes=1))


def test_the_tally_counts_without_anyone_s_words() -> None:
    answers = [
        (
            {
                "park": "North",
                "uses": ["walk", "play"],
                "safe": 4,
                "why": "near me",
                "order": ["bins", "lights", "benches"],
            },
            None,
        ),
        ({"park": "North", "uses": ["walk"], "safe": 2, "why": None, "order": ["lights", "bins", "benches"]}, None),
        (
            {"park": "South", "uses": None, "safe": 3, "why": "secret words", "order": ["bins", "benches", "lights"]},
            None,
        ),
    ]
    results = tally(survey(), answers)
    by_id = {q.question_id: q for q in results.questions}
    assert results.respondents == 3
    assert by_id["park"].counts == {"North": 2, "South": 1}
    assert by_id["uses"].counts == {"walk": 2, "play": 1, "sport": 0} and by_id["uses"].answered == 2
    assert by_id["safe"].counts == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 0} and by_id["safe"].mean == 3.0
    assert by_id["why"].answered == 2 and "secret" not in results.model_dump_json()
    assert by_id["order"].average_place == {"bins": 1.33, "lights": 2.0, "benches": 2.67}


def test_the_place_standard_has_its_fourteen_themes_on_a_seven_point_scale_with_a_mean_per_area() -> None:
    questions = place_standard_questions()
    assert len(questions) == len(PLACE_STANDARD_THEMES) == 14
    assert {(q.kind, q.low, q.high) for q in questions} == {("scale", 1, 7)}
    assert questions[0].id == "moving-around" and questions[-1].help == "Influence and sense of control"
    place = Survey(
        id="ps", hub_id="hub-northfield", title="Place", questions=questions, localities=("Ash", "Elm"), created_at=NOW
    ).opened(NOW, None)
    everything = {q.id: 4 for q in questions}
    given = [
        (place.check_answer({**everything, "feeling-safe": 2}, "Ash", NOW), "Ash"),
        (place.check_answer({**everything, "feeling-safe": 6}, "Elm", NOW), "Elm"),
        (place.check_answer({**everything, "feeling-safe": 7}, "Elm", NOW), "Elm"),
    ]
    with pytest.raises(RuleViolation):
        place.check_answer(everything, None, NOW)  # it asks which area
    safe = {q.question_id: q for q in tally(place, given).questions}["feeling-safe"]
    assert safe.by_locality == {"Ash": 2.0, "Elm": 6.5} and safe.mean == 5.0


# --- a repeating survey ---------------------------------------------------------------------------

QUARTERLY = Recurrence(every_months=3, open_days=21)


def test_months_are_added_on_the_same_day_or_the_months_last() -> None:
    assert add_months(datetime(2026, 1, 31, 9, tzinfo=UTC), 1) == datetime(2026, 2, 28, 9, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 15, tzinfo=UTC), 3) == datetime(2027, 2, 15, tzinfo=UTC)
    assert add_months(datetime(2026, 12, 3, tzinfo=UTC), 12) == datetime(2027, 12, 3, tzinfo=UTC)


def test_a_wave_must_close_before_the_next_one_opens() -> None:
    with pytest.raises(ValidationError):
        Recurrence(every_months=1, open_days=28)
    with pytest.raises(ValidationError):
        Recurrence(every_months=13, open_days=10)
    assert Recurrence(every_months=1, open_days=27).open_days == 27


def test_opening_a_repeating_survey_starts_its_series_and_its_schedule() -> None:
    first = survey(recurrence=QUARTERLY).opened(NOW, None, invite_panel=True)
    assert (first.series_id, first.wave) == ("s1", 1)
    assert first.closes_at == NOW + timedelta(days=21)
    assert first.next_wave_at == datetime(2027, 3, 3, 12, tzinfo=UTC)
    assert first.recurrence.starts_at == NOW and first.recurrence.invite_panel
    assert first.repeating
    with pytest.raises(RuleViolation):  # its window is its open length, not a date of its own
        survey(recurrence=QUARTERLY).opened(NOW, NOW + timedelta(days=3))
    once = survey().opened(NOW, None)
    assert once.series_id is None and once.next_wave_at is None and not once.repeating


def test_the_next_wave_is_a_copy_of_the_questions_with_the_next_number_and_the_schedule_moves_on() -> None:
    first = survey(recurrence=QUARTERLY).opened(NOW, None).closed(NOW + timedelta(days=21)).answered()
    due = first.next_wave_at
    with pytest.raises(Conflict):
        first.next_wave(due - timedelta(minutes=1))  # not yet
    done, second = first.next_wave(due)
    assert done.next_wave_at is None and done.version == first.version + 1
    assert (second.id, second.series_id, second.wave, second.status) == ("s1-w2", "s1", 2, "open")
    assert second.questions == first.questions and second.respondents == 0
    assert second.closes_at == due + timedelta(days=21)
    assert second.next_wave_at == datetime(2027, 6, 3, 12, tzinfo=UTC)
    with pytest.raises(Conflict):
        done.next_wave(due)  # opened once: the schedule moved to the new wave
    with pytest.raises(Conflict):
        second.next_wave(second.next_wave_at)  # still open: it closes first


def test_a_wave_opened_late_keeps_its_full_window_and_skips_the_slots_it_missed() -> None:
    first = survey(recurrence=QUARTERLY).opened(NOW, None).closed(NOW + timedelta(days=21))
    late = first.next_wave_at + timedelta(days=100)  # the worker was stopped for more than a quarter
    _done, second = first.next_wave(late)
    assert second.closes_at == late + timedelta(days=21)
    assert second.next_wave_at == datetime(2027, 9, 3, 12, tzinfo=UTC)  # on the anchor's day, after it closes


def test_staff_stop_a_series_on_its_latest_wave() -> None:
    first = survey(recurrence=QUARTERLY).opened(NOW, None)
    stopped = first.stopped_repeating(NOW)
    assert stopped.next_wave_at is None and stopped.recurrence.stopped_at == NOW and not stopped.repeating
    with pytest.raises(Conflict):
        stopped.stopped_repeating(NOW)
    with pytest.raises(Conflict):
        stopped.closed(NOW).next_wave(NOW + timedelta(days=200))
    with pytest.raises(Conflict):
        survey().stopped_repeating(NOW)
    assert survey(recurrence=QUARTERLY).stopped_repeating(NOW).recurrence is None  # a draft: just not repeating


def test_the_trend_gives_each_scale_and_choice_question_its_figure_per_wave() -> None:
    first = survey(recurrence=QUARTERLY).opened(NOW, None).closed(NOW)
    _done, second = first.next_wave(first.next_wave_at)
    one = [({"park": "North", "safe": 2, "order": ["bins", "lights", "benches"]}, None)] * 2
    two = [
        ({"park": "North", "safe": 4, "order": ["bins", "lights", "benches"]}, None),
        ({"park": "South", "safe": 5, "uses": ["walk"], "order": ["bins", "lights", "benches"]}, None),
    ]
    trend = wave_trend("s1", [(second, tally(second, two)), (first, tally(first, one))])
    assert [w.wave for w in trend.waves] == [1, 2] and [w.respondents for w in trend.waves] == [2, 2]
    by_id = {q.question_id: q for q in trend.questions}
    assert set(by_id) == {"park", "uses", "safe"}  # not free text, not ranking
    assert [f.mean for f in by_id["safe"].waves] == [2.0, 4.5] and by_id["safe"].change == 2.5
    assert [f.shares for f in by_id["park"].waves] == [{"North": 100.0, "South": 0.0}, {"North": 50.0, "South": 50.0}]
    assert by_id["uses"].waves[0].shares == {"walk": 0.0, "play": 0.0, "sport": 0.0}  # nobody answered it
    assert by_id["park"].change is None

"""Surveys without a database: what a question accepts, the transitions, and the anonymous tally."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from hub_common.errors import Conflict, RuleViolation
from hub_participation.domain.survey import (
    PLACE_STANDARD_THEMES,
    Question,
    Survey,
    place_standard_questions,
    tally,
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

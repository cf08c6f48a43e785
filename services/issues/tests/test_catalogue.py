"""Category attributes (Open311 service definitions) and validation of the answers to them."""

from __future__ import annotations

import pytest

from hub_common.errors import RuleViolation
from hub_issues.domain.catalogue import Attribute, AttributeValue, Category, validate_answers

WASTE = (AttributeValue("household", "Household"), AttributeValue("furniture", "Furniture"))
CATEGORY = Category(
    "hub-1",
    "fly_tipping",
    "Fly-tipping",
    attributes=(
        Attribute("waste", "multivaluelist", "What was dumped?", True, 1, values=WASTE),
        Attribute("size", "singlevaluelist", "How much?", True, 2, values=(AttributeValue("bag", "A bag"),)),
        Attribute("bags", "number", "How many bags?", False, 3),
        Attribute("seen_at", "datetime", "When?", False, 4),
        Attribute("where", "string", "Where exactly?", False, 5),
        Attribute("notice", "text", "Please do not touch it", False, 0, variable=False),
    ),
)


def errors_of(answers) -> dict[str, str]:
    with pytest.raises(RuleViolation) as raised:
        validate_answers(CATEGORY, answers)
    return {e["field"]: e["type"] for e in raised.value.errors}


def test_valid_answers_are_normalised() -> None:
    clean = validate_answers(
        CATEGORY,
        {"waste": ["household", "furniture", "household"], "size": "bag", "bags": "3", "seen_at": "2026-05-01T10:00"},
    )
    assert clean == {
        "waste": ["household", "furniture"],
        "size": "bag",
        "bags": 3.0,
        "seen_at": "2026-05-01T10:00:00+00:00",
    }


def test_every_problem_is_listed_with_its_field() -> None:
    assert errors_of({"bags": "many", "seen_at": "yesterday", "colour": "red", "waste": ["sofa"]}) == {
        "attributes.colour": "unknown",
        "attributes.size": "missing",
        "attributes.bags": "invalid",
        "attributes.seen_at": "invalid",
        "attributes.waste": "invalid",
    }


def test_single_value_list_refuses_unknown_keys_and_several_values() -> None:
    assert errors_of({"waste": ["household"], "size": "lorry"}) == {"attributes.size": "invalid"}
    assert errors_of({"waste": ["household"], "size": ["bag", "bag"]}) == {"attributes.size": "invalid"}


def test_informational_attributes_take_no_answer() -> None:
    assert errors_of({"waste": "household", "size": "bag", "notice": "ok"}) == {"attributes.notice": "unknown"}


def test_string_length_and_custom_field_names() -> None:
    with pytest.raises(RuleViolation) as raised:
        validate_answers(
            CATEGORY, {"waste": "household", "size": "bag", "where": "x" * 201}, field_name=lambda c: f"attribute[{c}]"
        )
    assert raised.value.errors[0]["field"] == "attribute[where]"


@pytest.mark.parametrize(
    "build",
    [
        lambda: Attribute("a", "colour", "?"),
        lambda: Attribute("a", "singlevaluelist", "?"),
        lambda: Attribute("a", "string", "?", values=(AttributeValue("x", "X"),)),
        lambda: Attribute("a", "multivaluelist", "?", values=(AttributeValue("x", "X"), AttributeValue("x", "Y"))),
        lambda: Category("h", "c", "C", attributes=(Attribute("a", "string", "?"), Attribute("a", "number", "?"))),
    ],
)
def test_bad_definitions_are_refused(build) -> None:
    with pytest.raises(RuleViolation):
        build()

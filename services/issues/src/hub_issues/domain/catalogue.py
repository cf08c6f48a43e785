"""The service catalogue: categories of issues a hub handles and the questions each one asks.

Attributes follow Open311 GeoReport v2 service definitions: ``datatype`` is one of string,
number, datetime, text, singlevaluelist, multivaluelist; list types offer ``values`` (key/name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hub_common.errors import RuleViolation

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_TYPES = ("singlevaluelist", "multivaluelist")
MAX_STRING = 200
MAX_TEXT = 4000

Answer = str | float | list[str]


@dataclass(frozen=True)
class AttributeValue:
    key: str
    name: str


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: str
    required: bool = False
    order: int = 0
    variable: bool = True  # False: informational text only, no answer expected
    datatype_description: str = ""
    values: tuple[AttributeValue, ...] = ()

    def __post_init__(self) -> None:
        if self.datatype not in DATATYPES:
            raise RuleViolation(f"attribute {self.code}: datatype must be one of {', '.join(DATATYPES)}")
        if self.datatype in LIST_TYPES and not self.values:
            raise RuleViolation(f"attribute {self.code}: a {self.datatype} needs values to choose from")
        if self.datatype not in LIST_TYPES and self.values:
            raise RuleViolation(f"attribute {self.code}: only list datatypes take values")
        keys = [v.key for v in self.values]
        if len(set(keys)) != len(keys):
            raise RuleViolation(f"attribute {self.code}: value keys must be unique")


@dataclass(frozen=True)
class Category:
    hub_id: str
    code: str
    name: str
    description: str = ""
    group: str = ""
    keywords: tuple[str, ...] = ()
    target_response_hours: int | None = None
    attributes: tuple[Attribute, ...] = field(default_factory=tuple)
    active: bool = True

    def __post_init__(self) -> None:
        codes = [a.code for a in self.attributes]
        if len(set(codes)) != len(codes):
            raise RuleViolation(f"category {self.code}: attribute codes must be unique")

    @property
    def has_metadata(self) -> bool:
        return bool(self.attributes)

    def sorted_attributes(self) -> list[Attribute]:
        return sorted(self.attributes, key=lambda a: (a.order, a.code))


def validate_answers(category: Category, answers: dict[str, Any], *, field_name=lambda code: f"attributes.{code}"):
    """Check answers against the category's attributes; return them normalised.

    Raises :class:`RuleViolation` listing every problem: unknown codes, missing required
    answers, numbers that are not numbers, datetimes that are not ISO 8601, choices not offered.
    """
    by_code = {a.code: a for a in category.attributes if a.variable}
    errors: list[dict[str, str]] = []
    clean: dict[str, Answer] = {}
    for code in answers:
        if code not in by_code:
            errors.append(_error(field_name(code), f"'{category.code}' has no attribute '{code}'", "unknown"))
    for attribute in category.sorted_attributes():
        if not attribute.variable:
            continue
        raw = answers.get(attribute.code)
        if _blank(raw):
            if attribute.required:
                errors.append(_error(field_name(attribute.code), f"'{attribute.description}' is required", "missing"))
            continue
        try:
            clean[attribute.code] = _coerce(attribute, raw)
        except ValueError as exc:
            errors.append(_error(field_name(attribute.code), str(exc), "invalid"))
    if errors:
        raise RuleViolation("some answers do not fit the category's questions; see 'errors'", errors=errors)
    return clean


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, list) and not raw)


def _error(field: str, message: str, kind: str) -> dict[str, str]:
    return {"field": field, "message": message, "type": kind}


def _coerce(attribute: Attribute, raw: Any) -> Answer:
    datatype = attribute.datatype
    if datatype == "multivaluelist":
        chosen = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(v, str) for v in chosen):
            raise ValueError("choose keys from the list")
        keys = {v.key for v in attribute.values}
        unknown = [v for v in chosen if v not in keys]
        if unknown:
            raise ValueError(f"not offered: {', '.join(unknown)}; choose from {', '.join(sorted(keys))}")
        return list(dict.fromkeys(chosen))
    if isinstance(raw, list):
        if len(raw) != 1:
            raise ValueError("takes a single value")
        raw = raw[0]
    if datatype == "number":
        if isinstance(raw, bool):
            raise ValueError("must be a number")
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise ValueError("must be a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("must be a finite number")
        return number
    if not isinstance(raw, str):
        raw = str(raw)
    raw = raw.strip()
    if datatype == "datetime":
        return parse_datetime(raw).isoformat()
    if datatype == "singlevaluelist":
        keys = {v.key for v in attribute.values}
        if raw not in keys:
            raise ValueError(f"not offered: {raw}; choose from {', '.join(sorted(keys))}")
        return raw
    limit = MAX_TEXT if datatype == "text" else MAX_STRING
    if len(raw) > limit:
        raise ValueError(f"at most {limit} characters")
    return raw


def parse_datetime(raw: str) -> datetime:
    """ISO 8601 / RFC 3339; a time without zone is taken as UTC."""
    try:
        value = datetime.fromisoformat(raw.strip().replace("z", "Z"))
    except ValueError:
        raise ValueError(f"'{raw}' is not an ISO 8601 date-time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)

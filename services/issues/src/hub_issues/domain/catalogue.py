"""The service catalogue: categories of issues a hub handles and the questions each one asks.

Attributes follow Open311 GeoReport v2 service definitions: ``datatype`` is one of string,
number, datetime, text, singlevaluelist, multivaluelist; list types offer ``values`` (key/name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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

    def fields(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "datatype": self.datatype,
            "description": self.description,
            "required": self.required,
            "order": self.order,
            "variable": self.variable,
            "datatype_description": self.datatype_description,
            "values": [{"key": v.key, "name": v.name} for v in self.values],
        }

    @staticmethod
    def from_fields(fields: Mapping[str, Any]) -> Attribute:
        return Attribute(
            code=fields["code"],
            datatype=fields["datatype"],
            description=fields["description"],
            required=fields.get("required", False),
            order=fields.get("order", 0),
            variable=fields.get("variable", True),
            datatype_description=fields.get("datatype_description", ""),
            values=tuple(AttributeValue(v["key"], v["name"]) for v in fields.get("values", ())),
        )

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
class CategoryWording:
    """A category's words in a language other than the catalogue's own, for residents reading in it
    (the web app shows them when the resident reads Welsh, say). Missing words fall back to the
    catalogue's own; codes and keys stay the same in every language."""

    name: str
    description: str = ""
    group: str = ""
    questions: Mapping[str, str] = field(default_factory=dict)  # attribute code -> its question
    choices: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # code -> value key -> name

    def fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "group": self.group,
            "questions": dict(self.questions),
            "choices": {code: dict(names) for code, names in self.choices.items()},
        }

    @staticmethod
    def from_fields(fields: Mapping[str, Any]) -> CategoryWording:
        return CategoryWording(
            name=fields["name"],
            description=fields.get("description", ""),
            group=fields.get("group", ""),
            questions=dict(fields.get("questions", {})),
            choices={code: dict(names) for code, names in fields.get("choices", {}).items()},
        )


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
    version: int = 1
    created_at: datetime | None = None  # set when the hub adds it to its catalogue
    updated_at: datetime | None = None
    # The category's words in other languages, by language code ("cy"), for residents reading in them.
    translations: Mapping[str, CategoryWording] = field(default_factory=dict)

    def __post_init__(self) -> None:
        codes = [a.code for a in self.attributes]
        if len(set(codes)) != len(codes):
            raise RuleViolation(f"category {self.code}: attribute codes must be unique")
        self._check_translations()

    def _check_translations(self) -> None:
        """A translation may only word what the category asks: its questions and their choices."""
        keys = {a.code: {v.key for v in a.values} for a in self.attributes}
        errors = []
        for language, wording in self.translations.items():
            where = f"translations.{language}"
            errors += [_error(f"{where}.questions.{code}", f"no attribute '{code}'", "unknown")
                       for code in wording.questions if code not in keys]  # fmt: skip
            for code, names in wording.choices.items():
                if code not in keys:
                    errors.append(_error(f"{where}.choices.{code}", f"no attribute '{code}'", "unknown"))
                    continue
                errors += [_error(f"{where}.choices.{code}.{key}", f"'{code}' offers no '{key}'", "unknown")
                           for key in names if key not in keys[code]]  # fmt: skip
        if errors:
            raise RuleViolation(f"category {self.code}: its translations word what it does not ask", errors=errors)

    @property
    def has_metadata(self) -> bool:
        return bool(self.attributes)

    def sorted_attributes(self) -> list[Attribute]:
        return sorted(self.attributes, key=lambda a: (a.order, a.code))

    @property
    def id(self) -> str:
        return category_id(self.hub_id, self.code)

    def fields(self) -> dict[str, Any]:
        """What the category says (without its version and times), as plain values."""
        return {
            "hub_id": self.hub_id,
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "group": self.group,
            "keywords": list(self.keywords),
            "target_response_hours": self.target_response_hours,
            "active": self.active,
            "attributes": [a.fields() for a in self.attributes],
            "translations": {language: w.fields() for language, w in self.translations.items()},
        }

    @staticmethod
    def from_fields(fields: Mapping[str, Any]) -> Category:
        """A category from plain values (:meth:`fields`, plus ``version`` and times when stored);
        absent optional fields take their defaults. The attribute rules are checked."""
        return Category(
            hub_id=fields["hub_id"],
            code=fields["code"],
            name=fields["name"],
            description=fields.get("description", ""),
            group=fields.get("group", ""),
            keywords=tuple(fields.get("keywords", ())),
            target_response_hours=fields.get("target_response_hours"),
            active=fields.get("active", True),
            attributes=tuple(Attribute.from_fields(a) for a in fields.get("attributes", ())),
            version=fields.get("version", 1),
            created_at=fields.get("created_at"),
            updated_at=fields.get("updated_at"),
            translations={
                language: CategoryWording.from_fields(w) for language, w in (fields.get("translations") or {}).items()
            },
        )

    def added(self, at: datetime) -> Category:
        return replace(self, version=1, created_at=at, updated_at=at)

    def changed(self, changes: Mapping[str, Any], at: datetime) -> Category:
        """The category with some fields replaced (attributes as a whole), the rules checked again."""
        merged = Category.from_fields({**self.fields(), **changes})
        return replace(merged, version=self.version + 1, created_at=self.created_at, updated_at=at)


def category_id(hub_id: str, code: str) -> str:
    """Codes are unique per hub, not across hubs."""
    return f"{hub_id}:{code}"


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

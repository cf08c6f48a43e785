"""The record of processing: every service declares its personal data, and the record follows the code."""

from __future__ import annotations

import csv
import importlib
import io

import pytest
from pydantic import BaseModel

from hub_common.contracts.topics import SERVICES
from hub_common.ropa import Declaration, Processing, as_csv, as_markdown


def definition(service: str):
    return importlib.import_module(f"hub_{service}.__main__").DEFINITION


@pytest.mark.parametrize("service", SERVICES)
def test_every_field_that_looks_personal_is_declared_one_way_or_the_other(service: str) -> None:
    declaration = definition(service).processing
    assert declaration is not None and declaration.service == service
    assert declaration.undeclared(f"hub_{service}.domain") == []
    assert declaration.stale() == []
    for entry in declaration.processing:
        assert entry.purpose and entry.lawful_basis and entry.retention, entry.data


class Member(BaseModel):
    id: str
    display_name: str


class MemberLater(BaseModel):  # Member, after someone added a field
    id: str
    display_name: str
    mobile_phone: str


def _members(model: type[BaseModel]) -> Declaration:
    return Declaration(
        "demo", [Processing("members", model, ("display_name",), purpose="p", lawful_basis="b", retention="r")]
    )


def test_a_model_that_gains_an_undeclared_personal_field_fails(monkeypatch) -> None:
    monkeypatch.setattr("hub_common.ropa.models_of", lambda _package: [Member])
    assert _members(Member).undeclared("any") == []
    monkeypatch.setattr("hub_common.ropa.models_of", lambda _package: [MemberLater])
    assert _members(MemberLater).undeclared("any") == [f"{__name__}.MemberLater.mobile_phone"]
    renamed = Declaration("demo", [Processing("x", Member, ("email",), purpose="p", lawful_basis="b", retention="r")])
    assert renamed.stale() == ["Member.email"]


def test_the_record_renders_as_markdown_and_csv_for_every_service() -> None:
    declarations = [definition(s).processing for s in SERVICES]
    rows = list(csv.reader(io.StringIO(as_csv(declarations))))
    assert rows[0][:3] == ["service", "data", "fields"]
    assert {row[0] for row in rows[1:]} == set(SERVICES)
    assert next(row[:3] for row in rows if row[1] == "emergency contact") == [
        "volunteers",
        "emergency contact",
        "name, phone, relationship",
    ]
    markdown = as_markdown(declarations)
    assert markdown.startswith("# Record of processing") and "| notifications | contact book |" in markdown

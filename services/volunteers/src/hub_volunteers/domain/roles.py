"""Volunteer roles: a role cannot be published without a clear description."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from hub_common.errors import Conflict, RuleViolation

CheckNeeded = Literal["none", "basic", "standard", "enhanced"]

# What a volunteer needs to know before they sign up; every one must be filled to publish.
DESCRIPTION_FIELDS: tuple[str, ...] = (
    "purpose",
    "tasks",
    "time_commitment",
    "skills_needed",
    "checks_needed",
    "training_given",
    "support_contact",
    "accessibility",
)


class SkillNeed(BaseModel):
    skill_id: str
    min_level: int = Field(default=1, ge=1, le=4)


class Role(BaseModel):
    id: str
    hub_id: str
    title: str
    status: Literal["draft", "published", "retired"] = "draft"
    purpose: str | None = None
    tasks: list[str] = Field(default_factory=list)
    time_commitment: str | None = None
    # None means "not stated yet"; an empty list means "no particular skills needed".
    skills_needed: list[SkillNeed] | None = None
    checks_needed: CheckNeeded | None = None
    training_given: str | None = None
    support_contact: str | None = None
    accessibility: str | None = None
    open_to_under_18: bool = False
    min_age: int | None = Field(default=None, ge=14, le=99)
    # Open311 service codes of reported issues this role can help with (e.g. litter -> litter picking).
    issue_categories: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def missing_description(self) -> list[str]:
        missing = []
        for name in DESCRIPTION_FIELDS:
            value = getattr(self, name)
            if value is None or (isinstance(value, str) and not value.strip()) or (name == "tasks" and not value):
                missing.append(name)
        return missing

    def publish(self) -> None:
        if self.status == "published":
            raise Conflict("the role is already published")
        if self.status == "retired":
            raise Conflict("a retired role cannot be published again; create a new one")
        missing = self.missing_description()
        if missing:
            raise RuleViolation(
                "a role needs a clear description before it is published: " + ", ".join(missing),
                errors=[
                    {"field": f"body.{name}", "message": "required to publish the role", "type": "missing"}
                    for name in missing
                ],
            )
        self.status = "published"

    @property
    def check_level(self) -> str | None:
        return None if self.checks_needed in (None, "none") else self.checks_needed

    @property
    def effective_min_age(self) -> int | None:
        if self.min_age is not None:
            return self.min_age
        return None if self.open_to_under_18 else 18

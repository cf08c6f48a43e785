"""Who follows an issue: its reporter and everyone who supported it, learnt from the issues service's events."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class IssueFollowers(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str  # the issue or idea id
    followers: tuple[str, ...] = ()

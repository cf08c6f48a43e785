"""A hub as the participation service knows it: open for ideas, with the support threshold it asks for."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class IdeaSettings(BaseModel):
    """A hub takes ideas once it has settings (staff open it; the demo opens both demo hubs)."""

    model_config = ConfigDict(frozen=True)

    id: str  # the hub id
    support_threshold: int | None = None  # None: the platform's HUB_IDEA_SUPPORT_THRESHOLD
    version: int = 1
    updated_at: datetime

    def threshold(self, default: int) -> int:
        return self.support_threshold or default

"""Satisfaction with fixed problems over time, from the issues service's after-fix questionnaire.

Each answer the issues service publishes (``hub.issues.issue.feedback_received.v1``) is counted into
its hub's, category's and month's tally: how many answered, how many said it was fixed, and the
spread of the 1-5 satisfaction ratings. Only counts are kept: no issue id, no reporter.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict


class SatisfactionMonth(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str  # "<hub>:<category>:<YYYY-MM>"
    hub_id: str
    service_code: str
    month: str  # YYYY-MM (UTC)
    answered: int = 0
    fixed: int = 0
    ratings: dict[str, int] = {}  # "1".."5" -> how many

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def mean_rating(self) -> float | None:
        if not self.rated:
            return None
        return round(sum(int(r) * n for r, n in self.ratings.items()) / self.rated, 2)


def month_of(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m")


def tally_id(hub_id: str, service_code: str, month: str) -> str:
    return f"{hub_id}:{service_code}:{month}"

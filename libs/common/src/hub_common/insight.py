"""What every service's staff insight endpoint shares: the hubs and period asked for, and the calendar.

``GET /v1/insight?hub_id=a&hub_id=b&from=2026-01-01&to=2026-07-01`` (staff of every hub named, or an
operator) answers the statistics the service owns for those hubs together, over a bounded period of
whole UTC days (``to`` exclusive, at most :data:`MAX_DAYS`). The web app's insight dashboard calls
each service's endpoint at once and composes the page; no service reads another's data.

The stores group by UTC day (``$dateToString``, on an index whose prefix is the hub and the time
field); :func:`by_week` and :func:`by_month` roll the days into the series, with zeros for the
weeks and months nothing happened in, so every chart has the same axis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from hub_common.auth import Principal
from hub_common.errors import RuleViolation
from hub_common.http import Caller

MAX_DAYS = 731  # two years: enough for a trend, bounded for the index range scan
DEFAULT_DAYS = 182  # without ``from``: about six months before ``to``
MAX_HUBS = 50
DAY_FORMAT = "%Y-%m-%d"  # the stores' day keys ($dateToString)


@dataclass(frozen=True)
class InsightScope:
    """The hubs and the period an insight request covers: whole UTC days, ``end`` exclusive."""

    hub_ids: tuple[str, ...]
    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time(), UTC)

    def body(self) -> dict[str, object]:
        """The scope as every insight answer starts."""
        return {"hub_ids": list(self.hub_ids), "from": self.start, "to": self.end}


class InsightOut(BaseModel):
    """The start of every insight answer: the hubs and the period it covers."""

    model_config = ConfigDict(populate_by_name=True)

    hub_ids: list[str]
    start: date = Field(alias="from", description="first day (UTC)")
    end: date = Field(alias="to", description="the day after the last (UTC)")


def insight_scope(
    caller: Principal, hub_ids: Iterable[str], start: date | None, end: date | None, today: date
) -> InsightScope:
    """Check who asks (staff of every hub named, or an operator: 403 otherwise) and bound the period."""
    hubs = tuple(dict.fromkeys(hub_ids))
    if not hubs:
        raise RuleViolation("name at least one hub_id")
    if len(hubs) > MAX_HUBS:
        raise RuleViolation(f"at most {MAX_HUBS} hubs at once")
    for hub_id in hubs:
        caller.require_staff_for(hub_id)
    end = end or today + timedelta(days=1)
    start = start or end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise RuleViolation("'from' must be before 'to'")
    if (end - start).days > MAX_DAYS:
        raise RuleViolation(f"the period may not span more than {MAX_DAYS} days")
    return InsightScope(hubs, start, end)


async def _scope_of(
    caller: Caller,
    hub_id: Annotated[list[str], Query(description="a hub (repeat for several): staff of each, or an operator")],
    start: Annotated[
        date | None, Query(alias="from", description="first day (UTC); default: 182 days before 'to'")
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="the day after the last (UTC); default: tomorrow")
    ] = None,
) -> InsightScope:
    return insight_scope(caller, hub_id, start, end, datetime.now(UTC).date())


Scope = Annotated[InsightScope, Depends(_scope_of)]


def week_of(day: date) -> date:
    """The Monday of the ISO week the day is in."""
    return day - timedelta(days=day.weekday())


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def weeks(scope: InsightScope) -> list[date]:
    """Every week (its Monday) the period touches, in order."""
    first, found = week_of(scope.start), []
    while first < scope.end:
        found.append(first)
        first += timedelta(days=7)
    return found


def months(scope: InsightScope) -> list[str]:
    """Every month (``YYYY-MM``) the period touches, in order."""
    found: list[str] = []
    day = scope.start.replace(day=1)
    while day < scope.end:
        found.append(month_of(day))
        day = (day + timedelta(days=32)).replace(day=1)
    return found


def _roll(
    scope: InsightScope, per_day: Mapping[str, float], keys: list, key_of: Callable[[date], object]
) -> dict[object, float]:
    totals: dict[object, float] = dict.fromkeys(keys, 0)
    for day, value in per_day.items():
        key = key_of(datetime.strptime(day, DAY_FORMAT).date())
        if key in totals:
            totals[key] += value
    return totals


def by_week(scope: InsightScope, per_day: Mapping[str, float]) -> dict[date, float]:
    """Per-day figures (``YYYY-MM-DD`` keys) summed per week of the period, zero where none."""
    return _roll(scope, per_day, weeks(scope), week_of)  # type: ignore[return-value]


def by_month(scope: InsightScope, per_day: Mapping[str, float]) -> dict[str, float]:
    """Per-day figures (``YYYY-MM-DD`` keys) summed per month of the period, zero where none."""
    return _roll(scope, per_day, months(scope), month_of)  # type: ignore[return-value]


def day_key(field: str) -> dict[str, object]:
    """The aggregation expression of a date field's UTC day, the key the rolls above read."""
    return {"$dateToString": {"format": DAY_FORMAT, "date": f"${field}"}}

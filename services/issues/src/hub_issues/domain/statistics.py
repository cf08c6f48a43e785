"""Area statistics: per category, how many issues were reported, are open, were fixed and how fast."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hub_issues.domain.issue import median


@dataclass(frozen=True)
class Outcome:
    """What the statistics need to know of one issue."""

    service_code: str
    service_name: str
    open: bool
    time_to_fix_h: float | None = None
    fixed_on_time: bool | None = None


@dataclass(frozen=True)
class CategoryStatistics:
    service_code: str
    service_name: str
    reported: int
    open: int
    fixed: int
    median_hours_to_fix: float | None
    share_fixed_within_target: float | None


@dataclass(frozen=True)
class AreaStatistics:
    hub_id: str
    since: datetime
    until: datetime
    reported: int
    open: int
    fixed: int
    median_hours_to_fix: float | None
    share_fixed_within_target: float | None
    categories: list[CategoryStatistics] = field(default_factory=list)


@dataclass
class _Tally:
    service_code: str
    service_name: str
    reported: int = 0
    open: int = 0
    fix_hours: list[float] = field(default_factory=list)
    on_time: int = 0


def _share(on_time: int, fixed: int) -> float | None:
    return round(on_time / fixed, 3) if fixed else None


def area_statistics(hub_id: str, since: datetime, until: datetime, outcomes: list[Outcome]) -> AreaStatistics:
    """Per category (by code) and in total: reported, open, fixed, median hours to fix, share fixed within target."""
    tallies: dict[str, _Tally] = {}
    for outcome in outcomes:
        tally = tallies.setdefault(outcome.service_code, _Tally(outcome.service_code, outcome.service_name))
        tally.reported += 1
        tally.open += 1 if outcome.open else 0
        if outcome.time_to_fix_h is not None:
            tally.fix_hours.append(outcome.time_to_fix_h)
            tally.on_time += 1 if outcome.fixed_on_time else 0
    categories = [
        CategoryStatistics(
            service_code=t.service_code,
            service_name=t.service_name,
            reported=t.reported,
            open=t.open,
            fixed=len(t.fix_hours),
            median_hours_to_fix=median(t.fix_hours),
            share_fixed_within_target=_share(t.on_time, len(t.fix_hours)),
        )
        for t in sorted(tallies.values(), key=lambda t: t.service_code)
    ]
    all_hours = [h for t in tallies.values() for h in t.fix_hours]
    return AreaStatistics(
        hub_id=hub_id,
        since=since,
        until=until,
        reported=sum(t.reported for t in tallies.values()),
        open=sum(t.open for t in tallies.values()),
        fixed=len(all_hours),
        median_hours_to_fix=median(all_hours),
        share_fixed_within_target=_share(sum(t.on_time for t in tallies.values()), len(all_hours)),
        categories=categories,
    )

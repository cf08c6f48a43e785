"""What anyone can read: one issue, searches (``/v1`` and Open311), the public feeds, area statistics;
and what staff read of their hubs over time (insight)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hub_common.clock import Clock
from hub_common.errors import RuleViolation
from hub_common.http import PageQuery
from hub_common.insight import InsightScope, by_month, by_week
from hub_issues.adapters.hubs import HubRepository
from hub_issues.adapters.issues import IssueQuery, IssueRepository
from hub_issues.domain.issue import Issue, median
from hub_issues.domain.statistics import AreaStatistics, area_statistics

STATISTICS_PERIOD = timedelta(days=365)  # without ``since``: the year before ``until``


class FeedService:
    def __init__(
        self,
        issues: IssueRepository,
        hubs: HubRepository,
        *,
        clock: Clock,
        open311_default_days: int,
        open311_max_requests: int,
    ) -> None:
        self.issues = issues
        self.hubs = hubs
        self.clock = clock
        self.open311_window = timedelta(days=open311_default_days)
        self.open311_max_requests = open311_max_requests

    async def issue(self, issue_id: str) -> Issue:
        return await self.issues.get(issue_id)

    async def find_issue(self, issue_id: str) -> Issue | None:
        return await self.issues.find(issue_id)

    async def search(self, query: IssueQuery, paging: PageQuery) -> tuple[list[Issue], str | None]:
        return await self.issues.search(query, paging)

    async def hub_issues(
        self, query: IssueQuery, paging: PageQuery, *, overdue: bool = False
    ) -> tuple[list[Issue], str | None]:
        """The staff console's list of one hub's issues, newest first; ``overdue``: open and past the
        time the category promises, as of now (not waiting for the sweep's flag)."""
        if overdue:
            query = replace(query, overdue_at=self.clock())
        return await self.issues.search(query, paging)

    async def open311_requests(
        self,
        *,
        ids: list[str],
        hub_id: str | None,
        service_codes: list[str] | None,
        statuses: list[str],
        start: datetime | None,
        end: datetime | None,
    ) -> list[Issue]:
        """Open311 GET requests: by id (the other filters ignored), else in a window of at most
        ``HUB_OPEN311_DEFAULT_DAYS`` (by default the last ones) with Open311 statuses (open,
        closed or both); newest first, at most ``HUB_OPEN311_MAX_REQUESTS``."""
        limit = self.open311_max_requests
        if ids:
            return await self.issues.newest(IssueQuery(ids=ids[:limit]), limit)
        start, end = self._window(start, end)
        unknown = [s for s in statuses if s not in ("open", "closed")]
        if unknown:
            raise RuleViolation(f"status must be open or closed, not {', '.join(unknown)}")
        open_ = None if len(set(statuses)) != 1 else statuses[0] == "open"
        query = IssueQuery(hub_id=hub_id, service_codes=service_codes, open=open_, since=start, until=end)
        return await self.issues.newest(query, limit)

    def _window(self, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
        window = self.open311_window
        if end is None:
            end = start + window if start else self.clock()
        if start is None:
            start = end - window
        if start > end:
            raise RuleViolation("start_date is after end_date")
        if end - start > window:
            raise RuleViolation(f"the date range may not span more than {window.days} days")
        return start, end

    async def priorities(self, hub_id: str, paging: PageQuery) -> tuple[list[Issue], str | None]:
        """A hub's open issues ranked by support, then age."""
        return await self.issues.priorities(hub_id, paging)

    async def you_said_we_did(self, hub_id: str, paging: PageQuery) -> tuple[list[Issue], str | None]:
        """A hub's fixed issues, newest fix first: what was reported and what was done."""
        return await self.issues.fixed(hub_id, paging)

    async def statistics(self, hub_id: str, since: datetime | None, until: datetime | None) -> AreaStatistics:
        """Per category: reports, open, fixed, median hours to fix, share fixed within target."""
        until = until or self.clock()
        since = since or until - STATISTICS_PERIOD
        if since > until:
            raise RuleViolation("since is after until")
        await self.hubs.get(hub_id)
        return area_statistics(hub_id, since, until, await self.issues.outcomes(hub_id, since, until))

    async def insight(self, scope: InsightScope) -> dict[str, Any]:
        """Staff insight of the hubs over the period: issues opened and fixed per week, the median hours
        to fix per category (of those fixed in the period), how many are overdue now, and the
        after-fix questionnaire's satisfaction (1-5) per week and per month. Who may ask, the scope
        checked. The five reads run at once."""
        opened, fixed, fix_hours, rated, overdue = await asyncio.gather(
            self.issues.opened_per_day(scope),
            self.issues.fixed_per_day(scope),
            self.issues.fix_hours_by_category(scope),
            self.issues.satisfaction_per_day(scope),
            self.issues.overdue_count(scope.hub_ids),
        )
        opened_weekly, fixed_weekly = by_week(scope, opened), by_week(scope, fixed)
        answers = {day: n for day, (n, _) in rated.items()}
        ratings = {day: total for day, (_, total) in rated.items()}
        return {
            **scope.body(),
            "weekly": [
                {"week": week, "opened": int(opened_weekly[week]), "fixed": int(fixed_weekly[week])}
                for week in opened_weekly
            ],
            "time_to_fix": [
                {"service_code": code, "service_name": name, "fixed": len(hours), "median_hours": _hours(median(hours))}
                for code, name, hours in fix_hours
            ],
            "overdue": overdue,
            "satisfaction": {
                "weekly": _ratings("week", by_week(scope, answers), by_week(scope, ratings)),
                "monthly": _ratings("month", by_month(scope, answers), by_month(scope, ratings)),
            },
        }


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _ratings(key: str, answers: dict, ratings: dict) -> list[dict[str, Any]]:
    """Per period: how many rated the fix and their average (None without answers)."""
    return [
        {key: period, "answers": int(n), "average": round(ratings[period] / n, 2) if n else None}
        for period, n in answers.items()
    ]

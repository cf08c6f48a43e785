"""What anyone can read: one issue, searches (``/v1`` and Open311), the public feeds, area statistics."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hub_common.clock import Clock
from hub_common.errors import RuleViolation
from hub_common.http import PageQuery
from hub_issues.adapters.hubs import HubRepository
from hub_issues.adapters.issues import IssueQuery, IssueRepository
from hub_issues.domain.issue import Issue
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

"""The public feeds of a hub: priorities, "you said, we did" (fixed problems, forum actions done,
participatory budgeting projects delivered), area statistics; staff insight over time."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from hub_common.http import Paging
from hub_common.insight import Scope
from hub_common.pagination import Page
from hub_issues.api.deps import Feeds, Outcomes
from hub_issues.api.schemas import (
    ForumActionOut,
    FundedProjectOut,
    IdeaDoneOut,
    IssuesInsightOut,
    PriorityOut,
    StatsOut,
    YouSaidWeDidOut,
)
from hub_issues.api.views import (
    forum_action_view,
    funded_project_view,
    idea_done_view,
    priority_view,
    stats_view,
    you_said_we_did_view,
)

router = APIRouter(prefix="/v1")


@router.get("/hubs/{hub_id}/priorities", tags=["feeds"], summary="Open issues ranked by support, then age")
async def priorities(hub_id: str, page: Paging, feeds: Feeds) -> Page[PriorityOut]:
    issues, cursor = await feeds.priorities(hub_id, page)
    return Page[PriorityOut](items=[priority_view(i) for i in issues], next_cursor=cursor)


@router.get("/hubs/{hub_id}/you-said-we-did", tags=["feeds"], summary="Fixed issues and what was done")
async def you_said_we_did(hub_id: str, page: Paging, feeds: Feeds) -> Page[YouSaidWeDidOut]:
    issues, cursor = await feeds.you_said_we_did(hub_id, page)
    return Page[YouSaidWeDidOut](items=[you_said_we_did_view(i) for i in issues], next_cursor=cursor)


@router.get(
    "/hubs/{hub_id}/you-said-we-did/forum-actions",
    tags=["feeds"],
    summary="Actions agreed at the hub's resident forums and done (beside the fixed problems)",
)
async def forum_actions_done(hub_id: str, page: Paging, outcomes: Outcomes) -> Page[ForumActionOut]:
    done, cursor = await outcomes.forum_actions_done(hub_id, page)
    return Page[ForumActionOut](items=[forum_action_view(a) for a in done], next_cursor=cursor)


@router.get(
    "/hubs/{hub_id}/you-said-we-did/funded-projects",
    tags=["feeds"],
    summary="Projects residents voted for in participatory budgeting and delivered (beside the fixed problems)",
)
async def funded_projects_delivered(hub_id: str, page: Paging, outcomes: Outcomes) -> Page[FundedProjectOut]:
    done, cursor = await outcomes.projects_delivered(hub_id, page)
    return Page[FundedProjectOut](items=[funded_project_view(p) for p in done], next_cursor=cursor)


@router.get(
    "/hubs/{hub_id}/you-said-we-did/ideas",
    tags=["feeds"],
    summary="Ideas residents proposed and supported that the hub took forward and finished",
)
async def ideas_done(hub_id: str, page: Paging, outcomes: Outcomes) -> Page[IdeaDoneOut]:
    done, cursor = await outcomes.ideas_done(hub_id, page)
    return Page[IdeaDoneOut](items=[idea_done_view(i) for i in done], next_cursor=cursor)


@router.get("/hubs/{hub_id}/stats", tags=["feeds"], summary="Area statistics per category")
async def stats(feeds: Feeds, hub_id: str, since: datetime | None = None, until: datetime | None = None) -> StatsOut:
    return stats_view(await feeds.statistics(hub_id, since, until))


@router.get(
    "/insight",
    tags=["feeds"],
    summary="Staff: issues opened and fixed per week, time to fix by category, overdue, satisfaction trend",
)
async def insight(scope: Scope, feeds: Feeds) -> IssuesInsightOut:
    return IssuesInsightOut.model_validate(await feeds.insight(scope))

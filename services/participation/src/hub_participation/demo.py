"""Demo data for ``make run`` (``HUB_DEMO_DATA``): both demo hubs open for ideas, a few ideas in each,
one of them past its threshold and answered; and an upcoming resident forum in each, its agenda drawn
from the hub's most supported open ideas and staff items: Northfield's in the Main Hall (its room
asked of the assets service by event, as any meeting's), Riverside's online, a few residents registered;
and a participatory budgeting round in voting in each (``demo_pb``).

Idempotent: the ideas have known ids, every step goes through the use cases (so the events are the
real ones), and a step already taken (an idea there, a support counted, an answer given) is skipped.
A forum is scheduled only where the hub has no upcoming one, on a Wednesday evening a week or so
ahead (its id names the date, so a restart the same week adds nothing).
"""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.errors import DuplicateKeyError

from hub_common.auth import Principal
from hub_common.demo import HUBS, demo_asset_id
from hub_common.errors import Conflict
from hub_common.http import PageQuery
from hub_common.logging import get_logger
from hub_common.service import ServiceContext
from hub_participation.demo_pb import seed_demo_rounds
from hub_participation.domain.idea import Wording
from hub_participation.domain.meeting import AgendaItem, Place
from hub_participation.service import UseCases
from hub_participation.service.meetings import ScheduleRequest
from hub_participation.service.proposals import ProposalRequest

UK = ZoneInfo("Europe/London")
FORUM_REGISTRANTS = 3  # demo residents with a place at each forum

log = get_logger(__name__)


def demo_ideas() -> list[dict[str, Any]]:
    north, river = HUBS[0], HUBS[1]
    return [
        {
            "id": "idea-demo-north-trees",
            "hub": north,
            "by": "Jo from Green Lane",
            "title": "Plant fruit trees on the Green Lane verge",
            "description": "A row of apple and pear trees along the wide verge, looked after by a residents' "
            "group, with the fruit free to pick.",
            "category": "green spaces",
            "supports": 12,
            "answer": (
                "accepted",
                "Yes: the council's parks team will plant six trees this winter with the residents' group.",
            ),
            "progress": "The parks team has chosen the varieties; planting day is set for the first Saturday "
            "of December.",
        },
        {
            "id": "idea-demo-north-benches",
            "hub": north,
            "by": None,
            "title": "More benches on the walk to the shops",
            "description": "Older residents need somewhere to rest on the hill between the flats and the shops.",
            "category": "streets",
            "supports": 4,
        },
        {
            "id": "idea-demo-river-cafe",
            "hub": river,
            "by": "Sam",
            "title": "A repair cafe at the library once a month",
            "description": "Volunteers fix clothes, bikes and small appliances while you wait, so fewer things "
            "are thrown away.",
            "category": "community",
            "supports": 10,
            "answer": (
                "not_taken_forward",
                "Not this year: the library is closed for repairs until spring. We will look again then.",
            ),
        },
        {
            "id": "idea-demo-river-path",
            "hub": river,
            "by": "Riverside walker",
            "title": "Light the riverside path in winter",
            "description": "The path is the quickest way home from the station but it is dark from four o'clock.",
            "category": "safety",
            "supports": 7,
        },
    ]


async def seed_demo_data(ctx: ServiceContext) -> None:
    use_cases: UseCases = ctx.components.use_cases
    await use_cases.hubs.open_missing([hub["id"] for hub in HUBS])
    for idea in demo_ideas():
        await _seed_idea(use_cases, idea)
    forums = [await _seed_forum(use_cases, forum) for forum in demo_forums(ctx.clock())]
    rounds = await seed_demo_rounds(use_cases, ctx.clock())
    log.info("demo data ready", ideas=len(demo_ideas()), forums=sum(forums), budgeting_rounds=rounds)


def forum_start(now: datetime) -> datetime:
    """The first Wednesday at least a week ahead, 18:30 UK time (inside the demo rooms' hours)."""
    day = (now + timedelta(days=7)).astimezone(UK).date()
    day += timedelta(days=(2 - day.weekday()) % 7)
    return datetime.combine(day, time(18, 30), tzinfo=UK)


def demo_forums(now: datetime) -> list[dict[str, Any]]:
    north, river = HUBS[0]["id"], HUBS[1]["id"]
    starts = forum_start(now)
    return [
        {
            "hub": north,
            "title": "Northfield residents' forum",
            "description": "Residents' ideas, the hub's plans for the winter and questions to your councillors.",
            "starts_at": starts,
            "place": Place(
                kind="room",
                name="Main Hall, Northfield Community Centre, 1 Green Lane",
                room_id=demo_asset_id(north, "Main Hall"),
            ),
            "capacity": 60,
            "items": [("The hub's winter opening hours", None), ("Any other business", None)],
        },
        {
            "hub": river,
            "title": "Riverside residents' forum (online)",
            "description": "An evening online: your ideas for the riverside and the library's reopening.",
            "starts_at": starts + timedelta(days=1),
            "place": Place(kind="online", name="Online", online_url="https://meet.example.org/riverside-forum"),
            "capacity": 40,
            "items": [("The library's reopening in spring", "With the library manager.")],
        },
    ]


async def _seed_forum(use_cases: UseCases, forum: dict[str, Any]) -> bool:
    """Schedule the hub's demo forum unless it has an upcoming meeting; True if it was scheduled."""
    hub_id, starts_at = forum["hub"], forum["starts_at"]
    upcoming, _ = await use_cases.meetings.in_hub(hub_id, True, PageQuery(limit=1))
    if upcoming:
        return False
    staff = Principal(sub=f"demo-staff-{hub_id}", role="staff", hubs=(hub_id,))
    request = ScheduleRequest(
        hub_id=hub_id,
        title=forum["title"],
        description=forum["description"],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place=forum["place"],
        capacity=forum["capacity"],
        waitlist=True,
        top_ideas=3,
        # The hub's open priorities as far as the issues service's demo events have arrived by now (a
        # first start may draw none: the agenda is drawn once, when the forum is scheduled).
        top_priorities=3,
        staff_items=[AgendaItem(title=title, kind="staff", note=note) for title, note in forum["items"]],
    )
    meeting_id = f"meeting-demo-{hub_id}-{starts_at.date().isoformat()}"
    with contextlib.suppress(DuplicateKeyError):
        await use_cases.meetings.schedule(staff, request, meeting_id=meeting_id)
    for n in range(FORUM_REGISTRANTS):
        resident = Principal(sub=f"demo-forum-resident-{hub_id}-{n}", role="resident", hubs=(hub_id,))
        await use_cases.registrations.register(resident, meeting_id, access_needs=None, contact=None)
    return True


async def _seed_idea(use_cases: UseCases, idea: dict[str, Any]) -> None:
    hub_id = idea["hub"]["id"]
    proposer = Principal(sub=f"demo-resident-{idea['id']}", role="resident", hubs=(hub_id,))
    staff = Principal(sub=f"demo-staff-{hub_id}", role="staff", hubs=(hub_id,))
    wording = Wording(title=idea["title"], description=idea["description"], category=idea["category"])
    request = ProposalRequest(hub_id=hub_id, wording=wording, display_name=idea["by"])
    with contextlib.suppress(DuplicateKeyError):
        await use_cases.proposals.propose(proposer, request, idea_id=idea["id"])
    for n in range(idea["supports"]):
        supporter = Principal(sub=f"demo-supporter-{hub_id}-{n}", role="resident", hubs=(hub_id,))
        with contextlib.suppress(Conflict):  # answered already on an earlier start
            await use_cases.support.support(supporter, idea["id"], follow=False)
    if "answer" in idea:
        outcome, text = idea["answer"]
        with contextlib.suppress(Conflict):
            await use_cases.responses.respond(staff, idea["id"], outcome, text, None)
    if "progress" in idea:
        current = await use_cases.proposals.get(idea["id"])
        if not current.progress:
            await use_cases.responses.publish_progress(staff, idea["id"], idea["progress"], False)

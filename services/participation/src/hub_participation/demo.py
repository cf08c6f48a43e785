"""Demo data for ``make run`` (``HUB_DEMO_DATA``): both demo hubs open for ideas, a few ideas in each,
one of them past its threshold and answered.

Idempotent: the ideas have known ids, every step goes through the use cases (so the events are the
real ones), and a step already taken (an idea there, a support counted, an answer given) is skipped.
"""

from __future__ import annotations

import contextlib
from typing import Any

from pymongo.errors import DuplicateKeyError

from hub_common.auth import Principal
from hub_common.demo import HUBS
from hub_common.errors import Conflict
from hub_common.logging import get_logger
from hub_common.service import ServiceContext
from hub_participation.domain.idea import Wording
from hub_participation.service import UseCases
from hub_participation.service.proposals import ProposalRequest

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
    log.info("demo data ready", ideas=len(demo_ideas()))


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

"""Demo participatory budgeting for ``make run``: a round in voting in each demo hub, with a few eligible
costed proposals (and one found ineligible, with its reason) and a few ballots cast.

Idempotent: the round and its proposals have known ids and each step is taken only from the phase
before it, through the use cases (so the events are the real ones). Voting closes three weeks after
the round is first seeded; the worker then closes it and publishes its results, as for any round.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from hub_common.auth import Principal
from hub_common.demo import HUBS
from hub_common.residents import EMAIL_RESIDENT_PREFIX
from hub_participation.service import UseCases
from hub_participation.service.pb_proposals import Review, Submission
from hub_participation.service.pb_rounds import RoundDraft

VOTING_DAYS = 21


def demo_rounds() -> list[dict[str, Any]]:
    north, river = HUBS[0]["id"], HUBS[1]["id"]
    return [
        {
            "hub": north,
            "title": "Northfield's £10,000: you choose",
            "description": "£10,000 for the estate this year. Residents proposed the projects; choose the ones you "
            "want, as long as together they fit the budget.",
            "budget": 1_000_000,
            "method": "allocation",
            "proposals": [
                ("Planters and benches on the square", 420_000, None),
                ("A table tennis table in Green Lane park", 250_000, 300_000),  # with fitting
                ("Free cooking classes at the hub", 180_000, None),
                ("Bulb planting along the verges", 90_000, None),
            ],
            "ineligible": ("Resurface the supermarket car park", 800_000, "The car park is private land."),
            "ballots": [[0, 2], [1, 3], [0, 1, 3]],
        },
        {
            "hub": river,
            "title": "Riverside's £8,000 for the riverside",
            "description": "Approve as many projects as you like (up to three); the most approved that fit £8,000 "
            "go ahead.",
            "budget": 800_000,
            "method": "approval",
            "max_approvals": 3,
            "proposals": [
                ("Solar lights on the riverside path", 500_000, 550_000),
                ("A book swap box by the library", 40_000, None),
                ("Litter picking kits for volunteers", 60_000, None),
            ],
            "ineligible": ("A new footbridge", 4_000_000, "Far over the round's budget; passed to the highways team."),
            "ballots": [[0, 1], [0, 2], [0, 1, 2]],
        },
    ]


async def seed_demo_rounds(use_cases: UseCases, now: datetime) -> int:
    """Each demo hub's round, taken as far as voting; how many were new."""
    return sum([await _seed_round(use_cases, spec, now) for spec in demo_rounds()])


async def _seed_round(use_cases: UseCases, spec: dict[str, Any], now: datetime) -> bool:
    hub_id = spec["hub"]
    round_id = f"pb-demo-{hub_id}"
    staff = Principal(sub=f"demo-staff-{hub_id}", role="staff", hubs=(hub_id,))
    draft = RoundDraft(
        hub_id=hub_id,
        title=spec["title"],
        description=spec["description"],
        budget=spec["budget"],
        method=spec["method"],
        max_approvals=spec.get("max_approvals"),
        voting_closes_at=now + timedelta(days=VOTING_DAYS),
    )
    created = True
    try:
        await use_cases.pb_rounds.create(staff, draft, round_id=round_id)
    except DuplicateKeyError:
        created = False
    phase = (await use_cases.pb_rounds.get(staff, round_id)).phase
    if phase == "draft":
        phase = (await use_cases.pb_rounds.advance(staff, round_id, "proposals", None)).phase
    if phase == "proposals":
        await _propose_and_review(use_cases, staff, round_id, spec)
        phase = (await use_cases.pb_rounds.advance(staff, round_id, "review", None)).phase
    if phase == "review":
        await use_cases.pb_rounds.advance(staff, round_id, "voting", None)
        for n, picks in enumerate(spec["ballots"]):
            # demo voters as if they signed in by email (only such residents vote)
            voter = Principal(sub=f"{EMAIL_RESIDENT_PREFIX}demo-pb-voter-{hub_id}-{n}", role="resident", hubs=(hub_id,))
            await use_cases.pb_ballots.cast(voter, round_id, [f"{round_id}-{i}" for i in picks])
    return created


async def _propose_and_review(use_cases: UseCases, staff: Principal, round_id: str, spec: dict[str, Any]) -> None:
    hub_id = spec["hub"]
    for n, (title, estimate, _) in enumerate([*spec["proposals"], spec["ineligible"]]):
        resident = Principal(sub=f"demo-pb-proposer-{hub_id}-{n}", role="resident", hubs=(hub_id,))
        submission = Submission(title=title, description=f"{title}, proposed by a resident.", estimated_cost=estimate)
        with contextlib.suppress(DuplicateKeyError):
            await use_cases.pb_proposals.submit(resident, round_id, submission, proposal_id=f"{round_id}-{n}")
    for n, (_, _, final_cost) in enumerate(spec["proposals"]):
        await use_cases.pb_proposals.review(
            staff, f"{round_id}-{n}", Review(eligible=True, final_cost=final_cost), None
        )
    ineligible = Review(eligible=False, reason=spec["ineligible"][2])
    await use_cases.pb_proposals.review(staff, f"{round_id}-{len(spec['proposals'])}", ineligible, None)

"""Demo data for ``make run`` (``HUB_DEMO_DATA``): buildings, rooms, equipment, groups and services.

Idempotent: ids are derived from names, an asset already there is left alone, and each asset
is registered (with its AssetRegistered event) in its own unit of work.
"""

from __future__ import annotations

import contextlib
from typing import Any

from pymongo.errors import DuplicateKeyError

from hub_assets.domain.assets import AssetFields
from hub_common.demo import HUBS, demo_asset_id
from hub_common.logging import get_logger
from hub_common.service import ServiceContext

log = get_logger(__name__)
WEEKDAYS_9_TO_9 = [{"weekday": d, "opens": "09:00", "closes": "21:00"} for d in range(5)] + [
    {"weekday": 5, "opens": "10:00", "closes": "16:00"}
]


demo_id = demo_asset_id  # ids derived from names (hub_common.demo), so other services' demo data can name them


def _at(hub: dict[str, Any], dlat: float, dlon: float) -> dict[str, float]:
    return {"lat": round(hub["centre"]["lat"] + dlat, 6), "lon": round(hub["centre"]["lon"] + dlon, 6)}


def demo_assets() -> list[dict[str, Any]]:
    north, river = HUBS[0], HUBS[1]
    n, r = north["id"], river["id"]
    centre_n, library_r = demo_id(n, "Northfield Community Centre"), demo_id(r, "Riverside Library")
    food_bank = demo_id(n, "Northfield Food Bank")
    youth_club = demo_id(r, "Riverside Youth Club")
    return [
        # Northfield
        {
            "kind": "space",
            "hub_id": n,
            "name": "Northfield Community Centre",
            "location": _at(north, 0, 0),
            "address": "1 Green Lane, Northfield",
            "tags": ["community-centre", "step-free"],
            "opening_hours": WEEKDAYS_9_TO_9,
            "description": "Community centre with a hall, meeting rooms and a kitchen.",
        },
        {
            "kind": "room",
            "hub_id": n,
            "name": "Main Hall",
            "parent_id": centre_n,
            "location": _at(north, 0, 0),
            "tags": ["hall", "events"],
            "opening_hours": WEEKDAYS_9_TO_9,
            "room": {
                "capacity": 80,
                "accessibility": ["step-free", "hearing loop", "accessible toilet"],
                "facilities": ["kitchen", "stage", "chairs", "tables"],
                "policy": {
                    "min_minutes": 60,
                    "max_minutes": 360,
                    "lead_time_minutes": 24 * 60,
                    "requires_approval": True,
                },
            },
        },
        {
            "kind": "room",
            "hub_id": n,
            "name": "Meeting Room 1",
            "parent_id": centre_n,
            "location": _at(north, 0, 0),
            "tags": ["meeting-room"],
            "opening_hours": WEEKDAYS_9_TO_9,
            "room": {"capacity": 12, "accessibility": ["step-free"], "facilities": ["screen", "wifi"]},
        },
        {
            "kind": "equipment",
            "hub_id": n,
            "name": "Litter-picking kit",
            "parent_id": centre_n,
            "location": _at(north, 0, 0),
            "tags": ["litter-picking", "environment"],
            "description": "Picker, hoop, gloves, hi-vis vest and bags.",
            "equipment": {"quantity": 10, "condition": "good", "max_loan_days": 7},
        },
        {
            "kind": "equipment",
            "hub_id": n,
            "name": "Portable projector",
            "parent_id": centre_n,
            "location": _at(north, 0, 0),
            "tags": ["av"],
            "equipment": {"serial_number": "PJ-2231-NF", "condition": "good", "max_loan_days": 3},
        },
        {
            "kind": "organisation",
            "hub_id": n,
            "name": "Northfield Food Bank",
            "location": _at(north, 0.004, 0.006),
            "tags": ["food", "cost-of-living"],
            "description": "Emergency food parcels and advice.",
            "organisation": {
                "org_type": "charity",
                "charity_number": "1123456",
                "activities": ["food parcels", "advice"],
                "areas_served": ["Northfield"],
                "contact": {
                    "email": "hello@northfield-foodbank.example.org",
                    "website": "https://northfield-foodbank.example.org",
                },
            },
        },
        {
            "kind": "organisation",
            "hub_id": n,
            "name": "Friends of Northfield Park",
            "location": _at(north, -0.005, 0.01),
            "tags": ["parks", "environment", "volunteering"],
            "description": "Volunteers who look after the park.",
            "organisation": {
                "org_type": "informal",
                "activities": ["litter picks", "planting"],
                "areas_served": ["Northfield Park"],
            },
        },
        {
            "kind": "service",
            "hub_id": n,
            "name": "Food bank sessions",
            "location": _at(north, 0.004, 0.006),
            "tags": ["food"],
            "opening_hours": [{"weekday": 1, "opens": "10:00", "closes": "13:00"}],
            "service": {
                "organisation_id": food_bank,
                "offer": "Food parcels for three days, and benefits advice.",
                "eligibility": "Anyone in crisis; a referral helps but is not needed.",
                "schedule": "Tuesdays 10:00-13:00",
                "free": True,
            },
        },
        {
            "kind": "funding",
            "hub_id": n,
            "name": "Community Chest small grants",
            "tags": ["grants"],
            "funding": {
                "funder": "Northfield Council",
                "max_amount_gbp": 1000,
                "eligibility": "Constituted or informal groups working in Northfield.",
            },
        },
        # Riverside
        {
            "kind": "space",
            "hub_id": r,
            "name": "Riverside Library",
            "location": _at(river, 0.002, -0.004),
            "address": "12 Quay Street, Riverside",
            "tags": ["library", "step-free"],
            "opening_hours": WEEKDAYS_9_TO_9,
        },
        {
            "kind": "room",
            "hub_id": r,
            "name": "Library Study Room",
            "parent_id": library_r,
            "location": _at(river, 0.002, -0.004),
            "tags": ["meeting-room", "quiet"],
            "opening_hours": WEEKDAYS_9_TO_9,
            "room": {
                "capacity": 8,
                "accessibility": ["step-free"],
                "facilities": ["wifi"],
                "policy": {"bookable_by": ["staff", "partner"]},
            },
        },
        {
            "kind": "equipment",
            "hub_id": r,
            "name": "Litter-picking kit",
            "parent_id": library_r,
            "location": _at(river, 0.002, -0.004),
            "tags": ["litter-picking", "environment"],
            "equipment": {"quantity": 6, "condition": "good", "max_loan_days": 7},
        },
        {
            "kind": "organisation",
            "hub_id": r,
            "name": "Riverside Youth Club",
            "location": _at(river, -0.003, 0.002),
            "tags": ["young-people", "sport"],
            "organisation": {
                "org_type": "cio",
                "charity_number": "1187654",
                "activities": ["youth club", "football"],
                "areas_served": ["Riverside"],
                "contact": {"phone": "0113 496 0000"},
            },
        },
        {
            "kind": "service",
            "hub_id": r,
            "name": "Friday youth night",
            "location": _at(river, -0.003, 0.002),
            "tags": ["young-people"],
            "opening_hours": [{"weekday": 4, "opens": "18:00", "closes": "21:00"}],
            "service": {
                "organisation_id": youth_club,
                "offer": "Games, sport and a hot meal for 11-18 year olds.",
                "eligibility": "Ages 11 to 18",
                "schedule": "Fridays 18:00-21:00",
                "cost": "£1",
                "free": False,
            },
        },
    ]


async def seed_demo_data(ctx: ServiceContext) -> None:
    """Register each demo asset through the process's own use case (its clock, its unit of work)."""
    assets = ctx.components.use_cases.assets
    created = 0
    for raw in demo_assets():
        fields = AssetFields.model_validate({**raw, "owner_id": "demo"})
        with contextlib.suppress(DuplicateKeyError):  # another replica seeded it at the same time
            created += await assets.seed(demo_id(fields.hub_id, fields.name), fields)
    log.info("demo assets seeded", created=created)

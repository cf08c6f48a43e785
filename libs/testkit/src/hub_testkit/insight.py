"""Months of past activity for the insight dashboard's journeys, screenshots and benchmark.

The services' APIs stamp what they record with the time it happens, so a history can only be
written straight into each service's own database, as the service itself would have stored it:
issues reported and fixed (with the after-fix questionnaire's answers), approved volunteer hours,
room bookings held and equipment loans handed over, week by week. Everything is closed and names
made-up ids (no open issue joins a hub's priorities, no pending hours join a queue), so the pages
other journeys look at are unchanged. Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient

CATEGORIES = (("litter", "Litter", 72), ("graffiti", "Graffiti", 168), ("street_light", "Street light fault", 120))


@dataclass(frozen=True)
class Seeded:
    issues: int
    fixed: int
    answers: int
    hours_entries: int
    bookings: int
    loans: int


def _issue(rng: random.Random, n: int, hub: dict[str, Any], reported: datetime, now: datetime) -> dict[str, Any]:
    code, name, target_h = rng.choice(CATEGORIES)
    hours = round(rng.uniform(2, target_h * 1.6), 1)
    fixed_at = reported + timedelta(hours=hours)
    doc: dict[str, Any] = {
        "_id": f"iss-history-{hub['id']}-{n:05d}",
        "hub_id": hub["id"],
        "service_code": code,
        "service_name": name,
        "group": "Streets",
        "description": f"{name} (history {n})",
        "lat": hub["lat"],
        "lon": hub["lon"],
        "location": {"type": "Point", "coordinates": [hub["lon"], hub["lat"]]},
        "location_precision": "point",
        "channel": "api",
        "submitted_by_role": "anonymous",
        "requested_at": reported,
        "updated_at": reported,
        "expected_at": reported + timedelta(hours=target_h),
        "history": [],
        "search_terms": [code],
        "status": "closed_not_fixed",
        "open": False,
        "closed_at": reported + timedelta(days=2),
        "reason": "history",
        "feedback_state": "none",
        "version": 1,
    }
    if fixed_at < now - timedelta(hours=1) and rng.random() < 0.8:
        doc |= {
            "status": "closed",
            "fixed_at": fixed_at,
            "closed_at": fixed_at,
            "fix_note": "Done",
            "time_to_fix_h": hours,
            "fixed_on_time": hours <= target_h,
            "updated_at": fixed_at,
        }
        doc.pop("reason")
        answered = fixed_at + timedelta(days=rng.randint(1, 10))
        if answered < now and rng.random() < 0.6:
            rating = max(1, min(5, round(rng.gauss(4.4 if hours <= target_h else 2.8, 0.8))))
            doc |= {
                "feedback_state": "received",
                "feedback": {"fixed": True, "satisfaction": rating, "comment": None, "received_at": answered},
            }
    return doc


async def seed_insight_history(
    mongo_uris: dict[str, str],
    databases: dict[str, str],
    hubs: list[dict[str, Any]],
    *,
    now: datetime | None = None,
    weeks: int = 26,
    seed: int = 18,
) -> Seeded:
    """Write ``weeks`` of history for each hub (``{"id", "lat", "lon"}``) into the issues, volunteers and
    assets databases (``databases[service]`` on ``mongo_uris[service]``); what was written."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    issues: list[dict[str, Any]] = []
    hours: list[dict[str, Any]] = []
    bookings: list[dict[str, Any]] = []
    loans: list[dict[str, Any]] = []
    start = now - timedelta(weeks=weeks)
    for hub in hubs:
        for week in range(weeks):
            monday = start + timedelta(weeks=week)
            busy = 1 + 0.5 * (week % 8 in (2, 3))  # a busier fortnight every two months
            for _ in range(round(rng.randint(3, 9) * busy)):
                reported = monday + timedelta(hours=rng.uniform(0, 7 * 24))
                if reported < now:
                    issues.append(_issue(rng, len(issues), hub, reported, now))
            for _ in range(rng.randint(2, 6)):
                worked = (monday + timedelta(days=rng.randint(0, 6))).date()
                if worked <= now.date():
                    hours.append(_hours(rng, len(hours), hub["id"], worked, now))
            for _ in range(rng.randint(1, 5)):
                begins = (monday + timedelta(days=rng.randint(0, 6))).replace(hour=rng.choice((10, 14, 18)), minute=0)
                if begins + timedelta(hours=3) < now:
                    bookings.append(_booking(rng, len(bookings), hub["id"], begins))
            for _ in range(rng.randint(0, 3)):
                out = monday + timedelta(days=rng.uniform(0, 6))
                if out < now - timedelta(days=7):
                    loans.append(_loan(rng, len(loans), hub["id"], out))
    writes = {
        "issues": {"issues": issues},
        "volunteers": {"hours": hours},
        "assets": {"bookings": bookings, "loans": loans},
    }
    for service, collections in writes.items():
        client: AsyncMongoClient = AsyncMongoClient(mongo_uris[service], tz_aware=True)
        try:
            db = client[databases[service]]
            for name, docs in collections.items():
                if docs:
                    await db[name].delete_many({"_id": {"$in": [d["_id"] for d in docs]}})
                    await db[name].insert_many(docs, ordered=False)
        finally:
            await client.close()
    fixed = [d for d in issues if "fixed_at" in d]
    return Seeded(
        issues=len(issues),
        fixed=len(fixed),
        answers=sum(1 for d in fixed if "feedback" in d),
        hours_entries=len(hours),
        bookings=len(bookings),
        loans=len(loans),
    )


def _hours(rng: random.Random, n: int, hub_id: str, worked: date, now: datetime) -> dict[str, Any]:
    return {
        "_id": f"hrs-history-{hub_id}-{n:05d}",
        "volunteer_id": f"vol-history-{rng.randint(1, 12)}",
        "hub_id": hub_id,
        "minutes": rng.choice((60, 90, 120, 180, 240)),
        "worked_on": worked.isoformat(),
        "source": "volunteer",
        "status": "approved",
        "logged_by": "history",
        "decided_by": "history",
        "decided_at": now,
        "created_at": datetime.combine(worked, datetime.min.time(), UTC),
    }


def _booking(rng: random.Random, n: int, hub_id: str, begins: datetime) -> dict[str, Any]:
    return {
        "_id": f"bkg-history-{hub_id}-{n:05d}",
        "room_id": f"room-history-{hub_id}",
        "hub_id": hub_id,
        "booker_id": "history",
        "booker_role": "resident",
        "purpose": "",
        "starts_at": begins,
        "ends_at": begins + timedelta(hours=rng.choice((1, 2, 3))),
        "status": "completed",
        "version": 1,
        "created_at": begins - timedelta(days=7),
        "updated_at": begins,
    }


def _loan(rng: random.Random, n: int, hub_id: str, out: datetime) -> dict[str, Any]:
    return {
        "_id": f"loan-history-{hub_id}-{n:05d}",
        "asset_id": f"kit-history-{hub_id}",
        "hub_id": hub_id,
        "borrower_kind": "organisation",
        "borrower_id": "history",
        "quantity": 1,
        "starts_at": out,
        "due_at": out + timedelta(days=3),
        "status": "returned",
        "checked_out_at": out,
        "returned_at": out + timedelta(days=rng.randint(1, 3)),
        "notes": "",
        "version": 1,
        "created_at": out - timedelta(days=1),
        "updated_at": out,
    }

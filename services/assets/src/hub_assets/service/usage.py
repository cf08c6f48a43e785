"""The use of a hub's facilities: the joint-use report (hours booked per room and per organisation)
and staff insight over time (bookings and loans per month, one hub or several)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hub_assets.adapters.bookings import BookingRepository
from hub_assets.adapters.loans import LoanRepository
from hub_common.insight import InsightScope, by_month


def usage_report(
    hub_id: str, since: datetime, until: datetime, rows: list[dict[str, Any]], room_names: Mapping[str, str]
) -> dict[str, Any]:
    """``rows``: bookings and minutes per (room, organisation, booker role); busiest rooms and users first."""
    by_room: dict[str, dict[str, Any]] = {}
    by_org: dict[str, dict[str, Any]] = {}
    for row in rows:
        hours = round(row["minutes"] / 60, 2)
        room = by_room.setdefault(
            row["room_id"],
            {
                "room_id": row["room_id"],
                "name": room_names.get(row["room_id"]),
                "bookings": 0,
                "hours": 0.0,
                "by_organisation": [],
            },
        )
        room["bookings"] += row["bookings"]
        room["hours"] = round(room["hours"] + hours, 2)
        user = row["organisation_id"] or f"({row['booker_role']}s without an organisation)"
        room["by_organisation"].append({"organisation": user, "bookings": row["bookings"], "hours": hours})
        org = by_org.setdefault(user, {"organisation": user, "bookings": 0, "hours": 0.0, "rooms": 0})
        org["bookings"] += row["bookings"]
        org["hours"] = round(org["hours"] + hours, 2)
        org["rooms"] += 1
    return {
        "hub_id": hub_id,
        "from": since,
        "to": until,
        "rooms": sorted(by_room.values(), key=lambda r: -r["hours"]),
        "organisations": sorted(by_org.values(), key=lambda o: -o["hours"]),
    }


class UsageService:
    """Staff insight of the hubs' rooms and equipment: figures only, never who booked or borrowed."""

    def __init__(self, bookings: BookingRepository, loans: LoanRepository) -> None:
        self.bookings = bookings
        self.loans = loans

    async def insight(self, scope: InsightScope) -> dict[str, Any]:
        """Per month of the period: room bookings (confirmed or held) starting then and their hours,
        and equipment loans handed over then; the scope is checked already (staff of each hub)."""
        held, handed_over = await asyncio.gather(
            self.bookings.held_per_day(scope), self.loans.checked_out_per_day(scope)
        )
        bookings = by_month(scope, {day: n for day, (n, _) in held.items()})
        minutes = by_month(scope, {day: m for day, (_, m) in held.items()})
        loans = by_month(scope, handed_over)
        return {
            **scope.body(),
            "monthly": [
                {
                    "month": month,
                    "bookings": int(bookings[month]),
                    "booked_hours": round(minutes[month] / 60, 2),
                    "loans": int(loans[month]),
                }
                for month in bookings
            ],
        }

"""The joint-use report of a hub's facilities: hours booked per room and per organisation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any


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

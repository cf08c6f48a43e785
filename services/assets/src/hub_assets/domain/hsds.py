"""Open Referral UK (HSDS 3.0, UK profile) view of the directory: organisations, services, locations.

Pure mapping from our assets to the standard's objects, so existing directory tools can read our
map. Identifiers are UUIDs (our asset ids are UUIDs; derived objects get stable UUIDv5s).
Only public directory data is exported: an organisation's or service's public contact, never a
private person's.
"""

from __future__ import annotations

import uuid
from itertools import groupby
from typing import Any

from hub_assets.domain.assets import Asset, OpeningHours

NAMESPACE = uuid.UUID("0b7c1d1e-8f2a-4a8e-9d0b-3c5e7f9a1b2c")
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _public_contact(asset: Asset) -> dict[str, Any]:
    contact = None
    if asset.organisation and asset.organisation.contact:
        contact = asset.organisation.contact
    elif asset.service and asset.service.contact:
        contact = asset.service.contact
    out: dict[str, Any] = {}
    if contact is not None:
        if contact.email:
            out["email"] = str(contact.email)
        if contact.website:
            out["website"] = str(contact.website)
    return out


def organization(asset: Asset) -> dict[str, Any]:
    assert asset.organisation is not None
    contact = _public_contact(asset)
    org: dict[str, Any] = {
        "id": asset.id,
        "name": asset.name,
        "description": asset.description or asset.name,
        **contact,
        "organization_identifiers": [],
    }
    if asset.organisation.charity_number:
        scheme = "GB-SC" if asset.organisation.charity_number.startswith("SC") else "GB-CHC"
        org["organization_identifiers"].append(
            {
                "id": derived_id(asset.id, "charity"),
                "organization_id": asset.id,
                "identifier_scheme": scheme,
                "identifier_type": "Charity number",
                "identifier": asset.organisation.charity_number,
            }
        )
    return org


def location(asset: Asset) -> dict[str, Any] | None:
    """The asset's place as an HSDS location (None when it has no point on the map)."""
    if asset.location is None:
        return None
    location_id = asset.id if asset.kind == "space" else derived_id(asset.id, "location")
    accessibility = asset.room.accessibility if asset.room else []
    return {
        "id": location_id,
        "location_type": "physical",  # a place on the map (HSDS 3.0 requires the type)
        "name": asset.name,
        "description": asset.address or asset.description or asset.name,
        "latitude": asset.location.lat,
        "longitude": asset.location.lon,
        "accessibility": [
            {"id": derived_id(location_id, "accessibility", item), "location_id": location_id, "description": item}
            for item in accessibility
        ],
    }


def _schedules(service_id: str, url: str, hours: list[OpeningHours], text: str | None) -> list[dict[str, Any]]:
    """One weekly RRULE-style schedule per distinct opening time (days that share it in ``byday``).

    The UK profile's schedule object lists ``url`` as required; we give the service's page.
    """
    schedules = []
    by_time = sorted(hours, key=lambda h: (h.opens, h.closes, h.weekday))
    for (opens, closes), windows in groupby(by_time, key=lambda h: (h.opens, h.closes)):
        days = ",".join(BYDAY[w.weekday] for w in windows)
        schedules.append(
            {
                "id": derived_id(service_id, "schedule", days, opens.isoformat(), closes.isoformat()),
                "service_id": service_id,
                "freq": "WEEKLY",
                "interval": 1,
                "byday": days,
                "opens_at": opens.strftime("%H:%M"),
                "closes_at": closes.strftime("%H:%M"),
                "description": text or "",
                "schedule_link": url,
                "url": url,
            }
        )
    if not schedules and text:
        schedules.append(
            {"id": derived_id(service_id, "schedule"), "service_id": service_id, "description": text, "url": url}
        )
    return schedules


def service(asset: Asset, org: Asset | None, base_url: str) -> dict[str, Any]:
    assert asset.service is not None
    details = asset.service
    url = _public_contact(asset).get("website") or f"{base_url}/v1/assets/{asset.id}"
    out: dict[str, Any] = {
        "id": asset.id,
        "name": asset.name,
        "description": "\n\n".join(p for p in (details.offer, asset.description) if p),
        "url": url,
        "status": "active" if asset.status == "active" else "inactive",
        "eligibility_description": details.eligibility or "",
        "schedules": _schedules(asset.id, url, asset.opening_hours, details.schedule),
        "cost_options": [
            {
                "id": derived_id(asset.id, "cost"),
                "service_id": asset.id,
                "option": "Free" if details.free else (details.cost or "Charge applies"),
                **({"amount": 0} if details.free else {}),
                "url": url,
            }
        ],
        "service_at_locations": [],
        "last_modified": asset.updated_at.isoformat(),
    }
    email = _public_contact(asset).get("email")
    if email:
        out["email"] = email
    if org is not None and org.organisation is not None:
        out["organization_id"] = org.id
        out["organization"] = organization(org)
    place = location(asset)
    if place is not None:
        out["service_at_locations"].append(
            {
                "id": derived_id(asset.id, "at", place["id"]),
                "service_id": asset.id,
                "location_id": place["id"],
                "location": place,
            }
        )
    return out


def page(contents: list[dict[str, Any]], *, total: int, page_number: int, size: int) -> dict[str, Any]:
    """The HSDS API's paginated response."""
    total_pages = max(1, -(-total // size))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": size,
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }

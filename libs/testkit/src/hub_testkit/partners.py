"""Partners in a service's read model of the registry, for tests of its inbound events.

Under ``make run`` the read model fills from ``hub.identity.events``; a test of a service's inbound
handling grants its partner directly, as that event would, and tests the registry's events apart.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase

from hub_common.partner_grants import PartnerGrant, PartnerGrantRepository


async def grant_partner(
    db: AsyncDatabase, partner_id: str, *, hubs: list[str] | tuple[str, ...], publishes: list[str] | tuple[str, ...]
) -> None:
    grant = PartnerGrant(id=partner_id, hubs=list(hubs), publishes=list(publishes), changed_at=datetime.now(UTC))
    await PartnerGrantRepository(db).put(grant)

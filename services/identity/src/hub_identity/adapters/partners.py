"""The ``partners`` collection: the partner registry."""

from __future__ import annotations

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository
from hub_identity.domain.partners import Partner

PARTNERS = "partners"

INDEXES: tuple[IndexSpec, ...] = ()  # read and listed by _id


class PartnerRepository(Repository[Partner]):
    collection_name = PARTNERS
    model = Partner
    noun = "partner"

    async def listed(self, limit: int, cursor: str | None) -> tuple[list[Partner], str | None]:
        return await self.page({}, sort=[("_id", 1)], limit=limit, cursor=cursor)

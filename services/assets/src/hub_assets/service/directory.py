"""The directory shared with partners: the entries they keep through hub.assets.inbound, and the
Open Referral UK (HSDS 3.0) export of organisations, services and locations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError

from hub_assets.adapters.assets import AssetRepository
from hub_assets.domain import hsds
from hub_assets.domain.assets import Asset, AssetFields, new_asset, updated_asset
from hub_assets.service.assets import add_asset, replace_asset
from hub_common.clock import Clock
from hub_common.contracts.assets import DirectoryEntrySubmitted
from hub_common.errors import Forbidden, RuleViolation
from hub_common.uow import Transaction

Applied = Literal["created", "updated", "stale"]


class DirectoryService:
    def __init__(self, assets: AssetRepository, *, clock: Clock) -> None:
        self.assets = assets
        self.clock = clock

    async def apply_partner_entry(
        self, entry: DirectoryEntrySubmitted, submitted_at: datetime, tx: Transaction
    ) -> Applied:
        """A partner's directory entry from hub.assets.inbound (in the consumer's transaction): create
        it, or update it if it is theirs and newer than what we applied.

        Raises a ProblemError when the submission can never be applied (the consumer dead-letters it).
        """
        try:
            fields = AssetFields.model_validate(
                {**entry.model_dump(exclude={"entry_id", "partner_id"}), "owner_id": entry.partner_id}
            )
        except ValidationError as exc:
            raise RuleViolation(f"the entry is not valid: {exc.errors(include_url=False)}") from None
        current = await self.assets.find(entry.entry_id, tx.session)
        if current is None:
            asset = new_asset(entry.entry_id, fields, self.clock()).model_copy(
                update={"source_updated_at": submitted_at}
            )
            await add_asset(self.assets, asset, tx)
            return "created"
        if current.owner_id != entry.partner_id:
            raise Forbidden(f"entry {entry.entry_id} is not kept by partner {entry.partner_id}")
        if current.source_updated_at is not None and submitted_at <= current.source_updated_at:
            return "stale"
        asset = updated_asset(current, fields, self.clock()).model_copy(update={"source_updated_at": submitted_at})
        await replace_asset(self.assets, asset, current.version, tx)
        return "updated"

    # -- the HSDS export -----------------------------------------------------------------------------

    async def _active(self, kind: str, hub_id: str | None, page_number: int, per_page: int) -> tuple[list[Asset], int]:
        skip = (page_number - 1) * per_page
        return await self.assets.active_of_kinds((kind,), hub_id=hub_id, skip=skip, limit=per_page)

    async def hsds_organizations(self, hub_id: str | None, page_number: int, per_page: int) -> dict[str, Any]:
        assets, total = await self._active("organisation", hub_id, page_number, per_page)
        return hsds.page([hsds.organization(a) for a in assets], total=total, page_number=page_number, size=per_page)

    async def hsds_services(self, hub_id: str | None, page_number: int, per_page: int, base_url: str) -> dict[str, Any]:
        """Services with their organisation; ``base_url`` makes the URL of a service without a website."""
        assets, total = await self._active("service", hub_id, page_number, per_page)
        org_ids = [a.service.organisation_id for a in assets if a.service and a.service.organisation_id]
        orgs = await self.assets.many(org_ids)
        contents = [
            hsds.service(a, orgs.get(a.service.organisation_id or "") if a.service else None, base_url) for a in assets
        ]
        return hsds.page(contents, total=total, page_number=page_number, size=per_page)

    async def hsds_locations(self, hub_id: str | None, page_number: int, per_page: int) -> dict[str, Any]:
        assets, total = await self._active("space", hub_id, page_number, per_page)
        contents = [place for a in assets if (place := hsds.location(a)) is not None]
        return hsds.page(contents, total=total, page_number=page_number, size=per_page)

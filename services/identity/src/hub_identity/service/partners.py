"""The partner registry: operators add organisations, grant and revoke what they may do, rotate secrets.

Every change is published (``hub.identity.events``) with the partner's whole grants, so each service
keeps its own read model and checks a partner's inbound events against it. A client secret is made
here, returned once to the operator who asked, and stored only as a hash.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.identity import PartnerGrantsChanged, PartnerRegistered, PartnerRevoked
from hub_common.errors import Conflict
from hub_common.uow import Transaction, UnitOfWork
from hub_identity.adapters.partners import PartnerRepository
from hub_identity.domain.partners import Grants, Partner, PartnerContact, check_partner_id
from hub_identity.domain.secrets import hash_secret, new_secret


@dataclass(frozen=True)
class WithSecret:
    """A partner and its new client secret: the only time the secret is seen."""

    partner: Partner
    client_secret: str


class PartnerService:
    def __init__(self, uow: UnitOfWork, partners: PartnerRepository, *, clock: Clock) -> None:
        self.uow, self.partners, self.clock = uow, partners, clock

    async def listed(self, caller: Principal, limit: int, cursor: str | None) -> tuple[list[Partner], str | None]:
        caller.require_role("operator")
        return await self.partners.listed(limit, cursor)

    async def get(self, caller: Principal, partner_id: str) -> Partner:
        caller.require_role("operator")
        return await self.partners.get(partner_id)

    async def add(
        self,
        caller: Principal,
        partner_id: str,
        organisation: str,
        contacts: list[PartnerContact],
        grants: Grants,
        *,
        secret: str | None = None,  # the demo data's known secret; otherwise made here
    ) -> WithSecret:
        caller.require_role("operator")
        check_partner_id(partner_id)
        checked = grants.checked()
        secret = secret or new_secret()
        hashed = await asyncio.to_thread(hash_secret, secret)

        async def work(tx: Transaction) -> Partner:
            now = self.clock()
            partner = Partner(
                id=partner_id,
                organisation=organisation,
                contacts=contacts,
                grants=checked,
                secret_hash=hashed,
                secret_rotated_at=now,
                created_at=now,
                updated_at=now,
            )
            if not await self.partners.add_if_missing(partner, tx.session):
                raise Conflict(f"partner {partner_id!r} is registered already")
            tx.publish(PartnerRegistered(**_grants_event(partner)), subject=partner.id)
            return partner

        return WithSecret(await self.uow.run(work), secret)

    async def change_grants(
        self, caller: Principal, partner_id: str, *, add: Grants, remove: Grants, expected: int | None
    ) -> Partner:
        caller.require_role("operator")

        async def work(tx: Transaction) -> Partner:
            partner = await self.partners.get(partner_id, tx.session)
            check_version(expected, partner.version)
            if partner.status == "revoked":
                raise Conflict(f"partner {partner_id!r} is revoked; register it again under a new id")
            grants = partner.grants.plus(add).minus(remove)
            if grants == partner.grants:
                return partner  # nothing changes: no event
            changed = partner.model_copy(
                update={"grants": grants, "updated_at": self.clock(), "version": partner.version + 1}
            )
            await self.partners.save_if_version(changed, partner.version, tx.session)
            tx.publish(PartnerGrantsChanged(**_grants_event(changed)), subject=changed.id)
            return changed

        return await self.uow.run(work)

    async def revoke(self, caller: Principal, partner_id: str) -> Partner:
        """All access gone: no grants, no secret (no more tokens); the record stays for the audit trail."""
        caller.require_role("operator")

        async def work(tx: Transaction) -> Partner:
            partner = await self.partners.get(partner_id, tx.session)
            if partner.status == "revoked":
                return partner  # a retry: revoked already
            now = self.clock()
            revoked = partner.model_copy(
                update={
                    "status": "revoked",
                    "grants": Grants(),
                    "secret_hash": None,
                    "updated_at": now,
                    "version": partner.version + 1,
                }
            )
            await self.partners.save_if_version(revoked, partner.version, tx.session)
            tx.publish(PartnerRevoked(partner_id=partner.id, revoked_at=now), subject=partner.id)
            return revoked

        return await self.uow.run(work)

    async def rotate_secret(self, caller: Principal, partner_id: str) -> WithSecret:
        """A new client secret; the old one stops getting tokens at once (tokens it got live out their hour)."""
        caller.require_role("operator")
        secret = new_secret()
        hashed = await asyncio.to_thread(hash_secret, secret)

        async def work(tx: Transaction) -> Partner:
            partner = await self.partners.get(partner_id, tx.session)
            if partner.status == "revoked":
                raise Conflict(f"partner {partner_id!r} is revoked")
            now = self.clock()
            rotated = partner.model_copy(
                update={
                    "secret_hash": hashed,
                    "secret_rotated_at": now,
                    "updated_at": now,
                    "version": partner.version + 1,
                }
            )
            await self.partners.save_if_version(rotated, partner.version, tx.session)
            return rotated

        return WithSecret(await self.uow.run(work), secret)


def _grants_event(partner: Partner) -> dict:
    return {
        "partner_id": partner.id,
        "organisation": partner.organisation,
        "hubs": partner.grants.hubs,
        "consumes": partner.grants.consumes,
        "publishes": partner.grants.publishes,
        "changed_at": partner.updated_at,
    }

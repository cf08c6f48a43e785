"""Request and response bodies of the identity service's admin API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from hub_identity.domain.keys import KeyRing
from hub_identity.domain.partners import Grants, Partner, PartnerContact, PartnerStatus


class GrantsIn(BaseModel):
    hubs: list[str] = Field(default_factory=list, max_length=200)
    consumes: list[str] = Field(default_factory=list, max_length=500, description="event types it may read")
    publishes: list[str] = Field(default_factory=list, max_length=100, description="inbound types it may publish")

    def grants(self) -> Grants:
        return Grants(hubs=self.hubs, consumes=self.consumes, publishes=self.publishes)


class PartnerIn(GrantsIn):
    id: str = Field(min_length=2, max_length=63, description="a slug: lower-case letters, digits, dashes")
    organisation: str = Field(min_length=1, max_length=200)
    contacts: list[PartnerContact] = Field(default_factory=list, max_length=20)


class GrantChangeIn(BaseModel):
    add: GrantsIn = Field(default_factory=GrantsIn)
    remove: GrantsIn = Field(default_factory=GrantsIn)


class PartnerOut(BaseModel):
    id: str
    organisation: str
    contacts: list[PartnerContact]
    hubs: list[str]
    consumes: list[str]
    publishes: list[str]
    status: PartnerStatus
    secret_rotated_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class PartnerWithSecretOut(PartnerOut):
    client_secret: str = Field(description="shown this once; store it in the partner's secret manager")


def partner_view(partner: Partner) -> PartnerOut:
    return PartnerOut(
        id=partner.id,
        organisation=partner.organisation,
        contacts=partner.contacts,
        hubs=partner.grants.hubs,
        consumes=partner.grants.consumes,
        publishes=partner.grants.publishes,
        status=partner.status,
        secret_rotated_at=partner.secret_rotated_at,
        created_at=partner.created_at,
        updated_at=partner.updated_at,
        version=partner.version,
    )


def with_secret(partner: Partner, secret: str) -> PartnerWithSecretOut:
    return PartnerWithSecretOut(**partner_view(partner).model_dump(), client_secret=secret)


class KeyOut(BaseModel):
    kid: str
    state: str = Field(description="next (published, not signing yet), signing, or retired (published only)")
    created_at: datetime
    activates_at: datetime
    removes_at: datetime | None


def ring_view(ring: KeyRing, now: datetime) -> list[KeyOut]:
    signing = ring.signing(now)
    return [
        KeyOut(
            kid=k.kid,
            state="signing" if k is signing else ("next" if k.activates_at > now else "retired"),
            created_at=k.created_at,
            activates_at=k.activates_at,
            removes_at=k.removes_at,
        )
        for k in ring.published(now)
    ]

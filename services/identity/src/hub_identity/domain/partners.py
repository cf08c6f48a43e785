"""A partner organisation in the registry: who it is, whom to contact, and what it is granted.

Grants are what every service enforces: the hubs it may act for (its tokens carry them), the event
types it may read (its Kafka ACLs and webhook subscriptions follow them) and the inbound event types
it may publish. A revoked partner keeps its record, for the audit trail, with no grants and no secret.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from hub_common.contracts import all_contracts
from hub_common.contracts.topics import RESTRICTED_TOPICS, inbound_topic
from hub_common.errors import RuleViolation

PartnerStatus = Literal["active", "revoked"]
PARTNER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class PartnerContact(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr


class Grants(BaseModel):
    hubs: list[str] = Field(default_factory=list)
    consumes: list[str] = Field(default_factory=list)
    publishes: list[str] = Field(default_factory=list)

    def checked(self) -> Grants:
        """The grants, sorted and without repeats, once every type is one a partner may be granted."""
        readable, publishable = partner_readable_types(), partner_publishable_types()
        unknown = sorted(set(self.consumes) - readable)
        if unknown:
            raise RuleViolation(f"not event types a partner may read: {', '.join(unknown)}")
        unknown = sorted(set(self.publishes) - publishable)
        if unknown:
            raise RuleViolation(f"not inbound event types a partner may publish: {', '.join(unknown)}")
        if any(not h.strip() for h in self.hubs):
            raise RuleViolation("a hub id cannot be empty")
        return Grants(
            hubs=sorted(set(self.hubs)), consumes=sorted(set(self.consumes)), publishes=sorted(set(self.publishes))
        )

    def plus(self, other: Grants) -> Grants:
        return Grants(
            hubs=[*self.hubs, *other.hubs],
            consumes=[*self.consumes, *other.consumes],
            publishes=[*self.publishes, *other.publishes],
        ).checked()

    def minus(self, other: Grants) -> Grants:
        return Grants(
            hubs=[h for h in self.hubs if h not in other.hubs],
            consumes=[t for t in self.consumes if t not in other.consumes],
            publishes=[t for t in self.publishes if t not in other.publishes],
        )


class Partner(BaseModel):
    id: str
    organisation: str = Field(min_length=1, max_length=200)
    contacts: list[PartnerContact] = Field(default_factory=list)
    grants: Grants = Field(default_factory=Grants)
    status: PartnerStatus = "active"
    secret_hash: str | None = None
    secret_rotated_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def active(self) -> bool:
        return self.status == "active" and self.secret_hash is not None


def check_partner_id(partner_id: str) -> str:
    if not PARTNER_ID.match(partner_id):
        raise RuleViolation("a partner id is 2-63 lower-case letters, digits and dashes, e.g. 'northfield-housing'")
    return partner_id


def partner_readable_types() -> set[str]:
    """Event types a partner may be granted to read: public events, never contacts, privacy, inbound
    or the registry's own (another partner's grants are not a partner's business)."""
    inbound = {inbound_topic(c.producer) for c in all_contracts()}
    return {
        c.type
        for c in all_contracts()
        if c.topic not in RESTRICTED_TOPICS and c.topic not in inbound and c.producer != "identity"
    }


def partner_publishable_types() -> set[str]:
    """Inbound event types (what partners send a service on its ``hub.<service>.inbound`` topic)."""
    return {c.type for c in all_contracts() if c.topic == inbound_topic(c.producer)}

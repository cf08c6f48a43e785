"""Events published by the identity service (``hub.identity.events``): the partner registry's changes.

Each says what a partner organisation is now granted, whole, so a consumer keeps its read model of
grants by replacing the partner's record (an event arriving twice changes nothing). Only the
organisation and its grants travel: its contacts (people at the partner) stay in the registry.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from hub_common.contracts.registry import EventData, event_contract


class PartnerGrants(EventData):
    partner_id: str = Field(min_length=1, max_length=64)
    organisation: str = Field(min_length=1, max_length=200)
    hubs: list[str] = Field(description="hubs the partner may act for")
    consumes: list[str] = Field(description="event types it may read")
    publishes: list[str] = Field(description="inbound event types it may publish")
    changed_at: datetime


@event_contract("hub.identity.partner.registered.v1")
class PartnerRegistered(PartnerGrants):
    """An organisation was added to the registry as a partner, with its first grants."""


@event_contract("hub.identity.partner.grants_changed.v1")
class PartnerGrantsChanged(PartnerGrants):
    """A partner's grants changed (hubs, event types it reads or inbound types it publishes)."""


@event_contract("hub.identity.partner.revoked.v1")
class PartnerRevoked(EventData):
    """A partner lost all access: its client secret no longer gets tokens, its grants are empty."""

    partner_id: str = Field(min_length=1, max_length=64)
    revoked_at: datetime

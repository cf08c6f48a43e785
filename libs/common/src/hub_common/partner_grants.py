"""What partners are granted, as each service knows it, and the check every inbound event passes.

The identity service owns the partner registry and publishes each change whole on
``hub.identity.events``; every service that reads an inbound topic keeps this read model of it (one
document per partner, replaced by the newest change) and checks an inbound event against it before
its handler runs: the sender must be one of the platform's services (``/hub/<service>``), or a
registered partner (``/partners/<id>``) that is not revoked, is granted the event's type and, where
the event names a hub, that hub. A refused event goes to the service's DLT with the reason, and is
counted (``hub_inbound_refused_total``); once the partner is granted, ``hub dlt replay`` brings it back.

A handler that finds the hub only from the event's content (a report placed by its location) gets
the partner's principal and checks the hub itself, as the HTTP API checks a partner's token.

Who sent an event is its ``ce_source``. Kafka's ACLs (``hub partners sync-kafka``) let a partner
write only to the inbound topics of the types it may publish; two partners granted the same topic
could still name each other as source, so the source is trusted as far as the ACLs reach.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from pydantic import BaseModel, Field

from hub_common import metrics
from hub_common.auth import Principal
from hub_common.consumer import Handler, PermanentError
from hub_common.contracts import contract_for
from hub_common.contracts.identity import PartnerGrantsChanged, PartnerRegistered, PartnerRevoked
from hub_common.contracts.topics import events_topic
from hub_common.envelope import Envelope
from hub_common.mongo import IndexSpec
from hub_common.repository import Repository
from hub_common.uow import Transaction

PARTNER_GRANTS = "partner_grants"
PARTNER_SOURCE = "/partners/"
PLATFORM_SOURCE = "/hub/"
IDENTITY_EVENTS = events_topic("identity")
GRANT_INDEXES: tuple[IndexSpec, ...] = ()  # read by _id only

# An inbound handler is told which partner sent the event (None: one of the platform's services).
InboundHandler = Callable[[Envelope, Transaction, Principal | None], Awaitable[None]]


class PartnerGrant(BaseModel):
    id: str
    hubs: list[str] = Field(default_factory=list)
    publishes: list[str] = Field(default_factory=list)
    consumes: list[str] = Field(default_factory=list)  # what its webhooks may carry (notifications)
    active: bool = True
    changed_at: datetime

    def principal(self) -> Principal:
        return Principal(sub=self.id, role="partner", hubs=tuple(self.hubs), client_id=self.id)


class PartnerGrantRepository(Repository[PartnerGrant]):
    collection_name = PARTNER_GRANTS
    model = PartnerGrant
    noun = "partner grant"

    async def record(self, grant: PartnerGrant, tx: Transaction) -> None:
        """Keep ``grant`` unless a newer change is held (a replay or a late copy changes nothing)."""
        held = await self.find(grant.id, tx.session)
        if held is None or held.changed_at <= grant.changed_at:
            await self.put(grant, tx.session)


def grant_handlers(grants: PartnerGrantRepository) -> dict[str, Handler]:
    """The read model's handlers for the registry's three event types."""

    async def on_grants(event: Envelope, tx: Transaction) -> None:
        data: PartnerRegistered = event.data  # type: ignore[assignment]
        grant = PartnerGrant(
            id=data.partner_id,
            hubs=data.hubs,
            publishes=data.publishes,
            consumes=data.consumes,
            changed_at=data.changed_at,
        )
        await grants.record(grant, tx)

    async def on_revoked(event: Envelope, tx: Transaction) -> None:
        data: PartnerRevoked = event.data  # type: ignore[assignment]
        await grants.record(PartnerGrant(id=data.partner_id, active=False, changed_at=data.revoked_at), tx)

    return {
        PartnerRegistered.event_type: on_grants,
        PartnerGrantsChanged.event_type: on_grants,
        PartnerRevoked.event_type: on_revoked,
    }


def guarded_inbound(
    service: str, grants: PartnerGrantRepository, inbound: Mapping[str, InboundHandler]
) -> dict[str, Handler]:
    """The service's inbound handlers, each run only for an event its sender may send."""

    def guard(handler: InboundHandler) -> Handler:
        async def checked(event: Envelope, tx: Transaction) -> None:
            partner = await sender(event, tx)
            await handler(event, tx, partner)

        return checked

    async def sender(event: Envelope, tx: Transaction) -> Principal | None:
        if event.source.startswith(PLATFORM_SOURCE):
            return None  # one of the platform's services (Kafka's ACLs give partners no such source)
        if not event.source.startswith(PARTNER_SOURCE):
            refuse(event, "unknown_sender", f"ce_source {event.source!r} is neither a partner nor a service")
        partner_id = event.source.removeprefix(PARTNER_SOURCE)
        grant = await grants.find(partner_id, tx.session)
        if grant is None:
            refuse(event, "not_registered", f"partner {partner_id!r} is not in the partner registry")
        if not grant.active:
            refuse(event, "revoked", f"partner {partner_id!r} has been revoked")
        if event.type not in grant.publishes:
            refuse(event, "type_not_granted", f"partner {partner_id!r} is not granted {event.type!r}")
        hub_id = event.hub_id or getattr(event.data, "hub_id", None)
        if hub_id is not None and hub_id not in grant.hubs:
            refuse(event, "hub_not_granted", f"partner {partner_id!r} is not granted hub {hub_id!r}")
        return grant.principal()

    def refuse(event: Envelope, reason: str, detail: str) -> None:
        metrics.INBOUND_REFUSED.labels(service, event.type, reason).inc()
        raise PermanentError(f"refused: {detail}")

    for event_type in inbound:
        if contract_for(event_type).producer != service:
            raise ValueError(f"{event_type} is not an inbound type of {service}")
    return {event_type: guard(handler) for event_type, handler in inbound.items()}

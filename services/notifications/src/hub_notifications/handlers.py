"""What the notifications service does with each event type it consumes."""

from __future__ import annotations

from datetime import UTC, datetime

from hub_common.consumer import Handler
from hub_common.contracts import CONTACTS_TOPIC, all_contracts
from hub_common.contracts.contacts import ContactErased, ContactUpserted
from hub_common.envelope import Envelope
from hub_common.service import ServiceContext
from hub_common.uow import Transaction
from hub_notifications.adapters.contact_book import ContactBook
from hub_notifications.domain.contacts import Contact, supersedes
from hub_notifications.domain.rules import CANCELS, RULES
from hub_notifications.service import public_event_types
from hub_notifications.wiring import notification_service, webhook_service


def handlers(ctx: ServiceContext) -> dict[str, Handler]:
    book = ContactBook(ctx.db)
    service = notification_service(ctx)
    webhooks = webhook_service(ctx)

    async def on_contact_upserted(event: Envelope, tx: Transaction) -> None:
        data: ContactUpserted = event.data  # type: ignore[assignment]
        current = await book.get(data.person_id, tx.session)
        erased_at = await book.erased_at(data.person_id, tx.session)
        if not supersedes(event.time, current.updated_at if current else None, erased_at):
            return
        contact = Contact(
            person_id=data.person_id,
            display_name=data.display_name,
            email=str(data.email) if data.email else None,
            phone=data.phone,
            language=data.language,
            hub_ids=tuple(data.hub_ids),
            consented_channels=tuple(data.consented_channels),
            source=event.source,
            updated_at=event.time,
        )
        await book.save(contact, tx.session)
        await service.messages.retry_waiting_for_contact(data.person_id, datetime.now(UTC), tx.session)

    async def on_contact_erased(event: Envelope, tx: Transaction) -> None:
        data: ContactErased = event.data  # type: ignore[assignment]
        await book.erase(data.person_id, event.time, tx.session)
        await service.forget(data.person_id, tx)

    async def on_public_event(event: Envelope, tx: Transaction) -> None:
        await service.plan(event, tx)  # messages to people, where a rule says so
        await webhooks.plan(event, tx)  # deliveries to subscribed partners

    contact_types = [c for c in all_contracts() if c.topic == CONTACTS_TOPIC]
    table: dict[str, Handler] = {}
    for contract in contact_types:
        if issubclass(contract.model, ContactUpserted):
            table[contract.type] = on_contact_upserted
        elif issubclass(contract.model, ContactErased):
            table[contract.type] = on_contact_erased
    for event_type in public_event_types() | {rule.event_type for rule in RULES} | set(CANCELS):
        table[event_type] = on_public_event
    return table

"""What the notifications service does with each event type it consumes."""

from __future__ import annotations

from hub_common.consumer import Handler
from hub_common.contracts import CONTACTS_TOPIC, all_contracts
from hub_common.contracts.contacts import ContactErased, ContactUpserted
from hub_common.contracts.identity import PartnerRevoked
from hub_common.contracts.privacy import ANSWER_TYPES, PrivacyRequestAnswered
from hub_common.envelope import Envelope
from hub_common.partner_grants import grant_handlers
from hub_common.privacy import privacy_handlers
from hub_common.uow import Transaction
from hub_notifications.domain.contacts import Contact
from hub_notifications.domain.rules import CANCELS, RULES
from hub_notifications.service import UseCases
from hub_notifications.service.webhooks import public_event_types


def handlers(use_cases: UseCases) -> dict[str, Handler]:
    contacts, planning, webhooks = use_cases.contacts, use_cases.planning, use_cases.webhooks

    async def on_contact_upserted(event: Envelope, tx: Transaction) -> None:
        data: ContactUpserted = event.data  # type: ignore[assignment]
        contact = Contact(
            id=data.person_id,
            display_name=data.display_name,
            email=str(data.email) if data.email else None,
            phone=data.phone,
            language=data.language,
            hub_ids=tuple(data.hub_ids),
            consented_channels=tuple(data.consented_channels),
            source=event.source,
            updated_at=event.time,
        )
        await contacts.learn(contact, tx)

    async def on_contact_erased(event: Envelope, tx: Transaction) -> None:
        data: ContactErased = event.data  # type: ignore[assignment]
        await contacts.forget(data.person_id, event.time, tx)

    async def on_privacy_answer(event: Envelope, tx: Transaction) -> None:
        data: PrivacyRequestAnswered = event.data  # type: ignore[assignment]
        await use_cases.privacy.record_answer(data, tx)

    async def on_public_event(event: Envelope, tx: Transaction) -> None:
        await planning.plan(event, tx)  # messages to people, where a rule says so
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
    # The partner registry: the read model of grants, and a revoked partner's webhooks paused.
    registry = grant_handlers(webhooks.grants)
    record_revocation = registry[PartnerRevoked.event_type]

    async def on_partner_revoked(event: Envelope, tx: Transaction) -> None:
        await record_revocation(event, tx)
        await webhooks.partner_revoked(event.data.partner_id, tx)  # type: ignore[attr-defined]

    table |= {**registry, PartnerRevoked.event_type: on_partner_revoked}
    # Privacy requests: this service answers for its own records like every other, and owns them.
    table |= privacy_handlers("notifications", use_cases.personal_data)
    table |= {answer.event_type: on_privacy_answer for answer in ANSWER_TYPES.values()}
    return table

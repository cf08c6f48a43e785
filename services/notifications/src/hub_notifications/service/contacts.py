"""The contact book: details learnt from ``hub.contacts``, and erasure, which forgets a person everywhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.uow import Transaction, UnitOfWork
from hub_notifications.adapters.contacts import LEARNING, ContactRepository
from hub_notifications.adapters.issue_followers import IssueFollowerRepository
from hub_notifications.adapters.messages import MessageRepository
from hub_notifications.adapters.preferences import PreferencesRepository
from hub_notifications.adapters.sent_log import SentLog
from hub_notifications.domain.contacts import Contact, supersedes
from hub_notifications.domain.messages import THROTTLED_CHANNELS


class ContactService:
    def __init__(
        self,
        uow: UnitOfWork,
        contacts: ContactRepository,
        messages: MessageRepository,
        preferences: PreferencesRepository,
        followers: IssueFollowerRepository,
        sent_log: SentLog,
        *,
        release_waiting: Callable[[list[str], Transaction], Awaitable[None]],
        clock: Clock,
    ) -> None:
        # What waited for a person's details, sent on as far as it can go once they arrive (planning's).
        self.release_waiting = release_waiting
        self.uow = uow
        self.contacts = contacts
        self.messages = messages
        self.preferences = preferences
        self.followers = followers
        self.sent_log = sent_log
        self.clock = clock

    async def learn(self, contact: Contact, tx: Transaction) -> None:
        """Keep these details if they are newer than what we hold and than any erasure; messages that
        waited for them go on at once. Learnt with the batch's other contact details: one read of
        what we hold and of erasures, and one bulk write, for all of them."""
        tx.stage(LEARNING, contact, lambda contacts, _session: self._learn_all(contacts, tx))

    async def _learn_all(self, incoming: list[Contact], tx: Transaction) -> None:
        people = list(dict.fromkeys(contact.id for contact in incoming))
        held = await self.contacts.many(people, tx.session)
        erased = await self.contacts.erased_when(people, tx.session)
        newest: dict[str, Contact] = {}
        for contact in incoming:  # in the batch's order: a later event may carry older details
            current = newest.get(contact.id) or held.get(contact.id)
            if supersedes(contact.updated_at, current.updated_at if current else None, erased.get(contact.id)):
                newest[contact.id] = contact
        if newest:
            await self.contacts.save_all(list(newest.values()), tx.session)
            await self.release_waiting(list(newest), tx)

    async def forget(self, person_id: str, erased_at: datetime, tx: Transaction) -> None:
        """Erasure: the contact goes, pending messages stop, stored texts are stripped, preferences and
        follows are deleted; later events create nothing for this person."""
        await tx.flush(LEARNING)  # details learnt earlier in this batch go too
        await self.contacts.erase(person_id, erased_at, tx.session)
        await self.messages.forget_person(person_id, self.clock(), tx)
        await self.preferences.erase(person_id, tx.session)
        await self.followers.forget(person_id, tx)
        await self.sent_log.forget(person_id, THROTTLED_CHANNELS, tx.session)

    async def erase(self, caller: Principal, person_id: str) -> None:
        """Erasure asked of notifications itself, not relayed from the service that knew the person:
        by the person (signed in), or by an operator for a request received by phone or letter, or
        for a staff member whose work address should no longer be held. Idempotent."""
        if caller.sub != person_id:
            caller.require_role("operator")
        erased_at = self.clock()
        await self.uow.run(lambda tx: self.forget(person_id, erased_at, tx))

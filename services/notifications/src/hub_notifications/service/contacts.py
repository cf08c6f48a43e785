"""The contact book: details learnt from ``hub.contacts``, and erasure, which forgets a person everywhere."""

from __future__ import annotations

from datetime import datetime

from hub_common.clock import Clock
from hub_common.uow import Transaction
from hub_notifications.adapters.contacts import ContactRepository
from hub_notifications.adapters.issue_followers import IssueFollowerRepository
from hub_notifications.adapters.messages import MessageRepository
from hub_notifications.adapters.preferences import PreferencesRepository
from hub_notifications.domain.contacts import Contact, supersedes


class ContactService:
    def __init__(
        self,
        contacts: ContactRepository,
        messages: MessageRepository,
        preferences: PreferencesRepository,
        followers: IssueFollowerRepository,
        *,
        clock: Clock,
    ) -> None:
        self.contacts = contacts
        self.messages = messages
        self.preferences = preferences
        self.followers = followers
        self.clock = clock

    async def learn(self, contact: Contact, tx: Transaction) -> None:
        """Keep these details if they are newer than what we hold and than any erasure; messages that
        waited for them are due at once."""
        current = await self.contacts.find(contact.id, tx.session)
        erased_at = await self.contacts.erased_at(contact.id, tx.session)
        if not supersedes(contact.updated_at, current.updated_at if current else None, erased_at):
            return
        await self.contacts.save(contact, tx.session)
        self.messages.retry_waiting_for_contact(contact.id, self.clock(), tx)

    async def forget(self, person_id: str, erased_at: datetime, tx: Transaction) -> None:
        """Erasure: the contact goes, pending messages stop, stored texts are stripped, preferences and
        follows are deleted; later events create nothing for this person."""
        await self.contacts.erase(person_id, erased_at, tx.session)
        await self.messages.forget_person(person_id, self.clock(), tx)
        await self.preferences.erase(person_id, tx.session)
        await self.followers.forget(person_id, tx.session)

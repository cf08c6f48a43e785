"""What notifications holds about people, and its answer to a privacy request (hub_common.privacy).

Notifications holds the contact book (names, emails, phones learnt from ``hub.contacts``, and staff
alert addresses), people's preferences, the issues they follow, the hubs' alerts staff and councillors asked for,
and the messages sent to them. Erasure is the contact erasure every service's event already asks
for, plus the staff alert subscriptions; messages keep their metadata, anonymous.
"""

from __future__ import annotations

from typing import Any

from hub_common.clock import Clock
from hub_common.contracts.privacy import HeldData
from hub_common.privacy import held
from hub_common.uow import Transaction
from hub_notifications.adapters.contacts import ContactRepository
from hub_notifications.adapters.hub_staff import HubStaffRepository
from hub_notifications.adapters.issue_followers import IssueFollowerRepository
from hub_notifications.adapters.messages import MessageRepository
from hub_notifications.adapters.preferences import PreferencesRepository
from hub_notifications.service.contacts import ContactService

MESSAGE_FIELDS = {"id", "channel", "message_type", "status", "created_at", "subject", "body", "read_at", "hub_id"}


class PersonalDataService:
    def __init__(
        self,
        contact_book: ContactService,
        contacts: ContactRepository,
        messages: MessageRepository,
        preferences: PreferencesRepository,
        followers: IssueFollowerRepository,
        hub_staff: HubStaffRepository,
        *,
        clock: Clock,
    ) -> None:
        self.contact_book = contact_book
        self.contacts = contacts
        self.messages = messages
        self.preferences = preferences
        self.followers = followers
        self.hub_staff = hub_staff
        self.clock = clock

    async def erase_people(self, person_ids: list[str], tx: Transaction) -> list[HeldData]:
        contacts = await self.contacts.many(person_ids, tx.session)
        messages = await self.messages.of_people(person_ids, tx.session)
        preferences = await self.preferences.many(person_ids, tx.session)
        follows = await self.followers.followed_by(person_ids, tx)
        now = self.clock()
        for person_id in person_ids:
            await self.contact_book.forget(person_id, now, tx)
        alerts = await self.hub_staff.leave_all(person_ids, tx.session)
        return [
            *held("contact details (name, email, phone, language)", len(contacts), "erased"),
            *held("messages sent or planned", len(messages), "content erased, pending ones stopped; metadata kept"),
            *held("notification preferences", len(preferences), "erased"),
            *held("issues and ideas followed", len(follows), "no longer followed"),
            *held("hub alert subscriptions", alerts, "ended"),
        ]

    async def export_people(self, person_ids: list[str], tx: Transaction) -> tuple[list[HeldData], dict[str, Any]]:
        contacts = (await self.contacts.many(person_ids, tx.session)).values()
        messages = await self.messages.of_people(person_ids, tx.session)
        preferences = (await self.preferences.many(person_ids, tx.session)).values()
        follows = await self.followers.followed_by(person_ids, tx)
        alerts = await self.hub_staff.of_people(person_ids, tx.session)
        export = {
            "contact_details": [c.model_dump(mode="json", exclude={"source"}) for c in contacts],
            "messages": [m.model_dump(mode="json", include=MESSAGE_FIELDS) for m in messages],
            "preferences": [p.model_dump(mode="json") for p in preferences],
            "followed": follows,
            "staff_alerts": [{"hub_id": a.hub_id, "as": a.audience, "since": a.since.isoformat()} for a in alerts],
        }
        return [
            *held("contact details", len(export["contact_details"]), "exported"),
            *held("messages", len(messages), "exported"),
            *held("notification preferences", len(export["preferences"]), "exported"),
            *held("issues and ideas followed", len(follows), "exported"),
            *held("hub alert subscriptions", len(alerts), "exported"),
        ], export

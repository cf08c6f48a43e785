"""Registering for forum meetings: one place (or place on the waitlist) per resident, however often
and however concurrently they ask; a cancelled place goes to the first on the waitlist.

Registrations of one meeting arriving together each run in a transaction that reads and replaces
the meeting at the version it read: the database commits one and retries the others on the meeting
as it now is, so a person is registered once and the capacity is never exceeded. What a resident
says about their access needs stays here, for the hub's staff (each read audited), never published.
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from hub_common.audit import AccessAudit
from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contact_details import Contact
from hub_common.contracts.participation import (
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from hub_common.errors import NotFound, RuleViolation
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_participation.adapters.meetings import MeetingRepository
from hub_participation.domain.meeting import Meeting, Registration, RegistrationStatus
from hub_participation.service.contacts import publish_contact
from hub_participation.service.meetings import facts


class RegistrationOutcome(BaseModel):
    """A resident's own registration, as they see it."""

    meeting_id: str
    registration_id: str
    status: RegistrationStatus
    waitlist_position: int | None
    access_needs: str | None
    new: bool  # False: they held this place already (nothing changed)


class AccessNeeds(BaseModel):
    """What the hub's staff see to arrange a meeting: the needs stated, never who stated them."""

    meeting_id: str
    registered: int
    waitlisted: int
    needs: list[str]


def _outcome(meeting: Meeting, registration: Registration, *, new: bool) -> RegistrationOutcome:
    return RegistrationOutcome(
        meeting_id=meeting.id,
        registration_id=registration.id,
        status=registration.status,
        waitlist_position=meeting.waitlist_position(registration.id),
        access_needs=registration.access_needs,
        new=new,
    )


class RegistrationService:
    def __init__(self, uow: UnitOfWork, meetings: MeetingRepository, audit: AccessAudit, *, clock: Clock) -> None:
        self.uow = uow
        self.meetings = meetings
        self.audit = audit
        self.clock = clock

    async def register(
        self,
        caller: Principal,
        meeting_id: str,
        *,
        access_needs: str | None,
        contact: Contact | None,
        idempotency: IdempotentRequest | None = None,
    ) -> RegistrationOutcome:
        """A place for the signed-in resident, else on the waitlist (409 when full without one)."""
        caller.require_role("resident")

        async def work(tx: Transaction) -> RegistrationOutcome:
            return await self.register_in(tx, caller.sub, meeting_id, access_needs=access_needs, contact=contact)

        return await self.uow.run(work, idempotency=idempotency, result_type=RegistrationOutcome)

    async def register_in(
        self,
        tx: Transaction,
        person_id: str,
        meeting_id: str,
        *,
        access_needs: str | None,
        contact: Contact | None = None,
        hub_id: str | None = None,
    ) -> RegistrationOutcome:
        """The person's place, in ``tx``: a resident's through the API, or a partner's person's from
        ``hub.participation.inbound`` (``hub_id``: the hub the partner named, which the meeting must be in)."""
        meeting = await self.meetings.get(meeting_id, tx.session)
        if hub_id is not None and meeting.hub_id != hub_id:
            raise RuleViolation(f"meeting {meeting_id} is not in hub {hub_id}")
        now = self.clock()
        registered = meeting.registered(person_id, f"reg-{uuid.uuid4().hex[:12]}", access_needs, now)
        if registered is None:
            held = meeting.registration_of(person_id)
            assert held is not None
            return _outcome(meeting, held, new=False)
        changed, registration = registered
        await self.meetings.save_if_version(changed, meeting.version, tx.session)
        common = {**facts(meeting), "registration_id": registration.id, "person_id": person_id}
        where = {"subject": meeting.id, "hub_id": meeting.hub_id}
        if registration.status == "registered":
            tx.publish(RegistrationConfirmed(**common, registered_at=now), **where)
        else:
            position = changed.waitlist_position(registration.id) or 1
            tx.publish(RegistrationWaitlisted(**common, position=position, registered_at=now), **where)
        publish_contact(tx, person_id, contact, meeting.hub_id, None)
        return _outcome(changed, registration, new=True)

    async def cancel(self, caller: Principal, meeting_id: str) -> RegistrationOutcome:
        """The resident gives up their place; the first waiting gets it (and is told)."""
        caller.require_role("resident")

        async def work(tx: Transaction) -> RegistrationOutcome:
            meeting = await self.meetings.get(meeting_id, tx.session)
            now = self.clock()
            result = meeting.cancelled_registration(caller.sub, now)
            if result is None:
                held = meeting.registration_of(caller.sub)
                if held is None:
                    raise NotFound(f"you are not registered for meeting {meeting_id}")
                return _outcome(meeting, held, new=False)
            changed, cancelled, promoted = result
            await self.meetings.save_if_version(changed, meeting.version, tx.session)
            where = {"subject": meeting.id, "hub_id": meeting.hub_id}
            tx.publish(
                RegistrationCancelled(
                    **facts(meeting), registration_id=cancelled.id, person_id=caller.sub, cancelled_at=now
                ),
                **where,
            )
            if promoted is not None and promoted.person_id:
                tx.publish(
                    RegistrationPromoted(
                        **facts(meeting), registration_id=promoted.id, person_id=promoted.person_id, promoted_at=now
                    ),
                    **where,
                )
            return _outcome(changed, cancelled, new=True)

        return await self.uow.run(work)

    async def mine(self, caller: Principal, meeting_id: str) -> RegistrationOutcome:
        meeting = await self.meetings.get(meeting_id)
        held = meeting.registration_of(caller.sub)
        if held is None:
            raise NotFound(f"you are not registered for meeting {meeting_id}")
        return _outcome(meeting, held, new=False)

    async def access_needs(self, caller: Principal, meeting_id: str) -> AccessNeeds:
        """The access needs of those with a place or waiting (the hub's staff, to arrange the meeting;
        recorded in the access audit), without saying whose they are."""
        meeting = await self.meetings.get(meeting_id)
        caller.require_staff_for(meeting.hub_id)
        active = [r for r in meeting.registrations if r.status in ("registered", "waitlisted")]
        stated = [r for r in active if r.access_needs]
        await self.audit.read(
            caller,
            kind="forum access needs",
            record_ids=[meeting.id],
            person_ids=[r.person_id for r in stated if r.person_id],
            why="arranging the meeting",
        )
        return AccessNeeds(
            meeting_id=meeting.id,
            registered=meeting.registered_count,
            waitlisted=len(meeting.waitlisted),
            needs=sorted(r.access_needs for r in stated if r.access_needs),
        )

"""Residents sign in with their email: a link emailed to the address signs the browser in as the
resident that address stands for (see :mod:`hub_participation.domain.sign_in`), which is how a
budgeting ballot or a survey answer is one per resident across devices.

Participation owns it because it is what needs residents told apart; the machinery is the one
volunteers' sign-in links use: the address goes to notifications as a contact on ``hub.contacts``
(never kept here), then the request naming the sub the link signs in as; notifications' rule
``resident_sign_in_link`` emails it, asking the issuer for the token as it sends.
"""

from __future__ import annotations

from hub_common.clock import Clock
from hub_common.contracts.contacts import ParticipantContactUpserted, ResidentSignInLinkRequested
from hub_common.uow import Transaction, UnitOfWork
from hub_participation.adapters.sign_in_links import SignInLinkRepository
from hub_participation.domain.sign_in import after_sending, normalised_email, resident_sub


class SignInLinkService:
    def __init__(self, uow: UnitOfWork, links: SignInLinkRepository, *, key: bytes, clock: Clock) -> None:
        self.uow = uow
        self.links = links
        self.key = key
        self.clock = clock

    async def request(self, email: str, return_to: str, hub_id: str | None, language: str = "en") -> None:
        """Have a sign-in link emailed to this address, unless it was sent enough in the last hour.

        The caller is told the same either way (202), so the form reveals nothing about an address.
        """
        person_id = resident_sub(self.key, email)
        now = self.clock()

        async def work(tx: Transaction) -> None:
            previous = await self.links.find(person_id, tx.session)
            if previous is not None and not previous.may_send(now):
                return  # the limit: the links already sent this hour still work
            if not await self.links.claim(after_sending(person_id, previous, now), previous, tx.session):
                return  # another request for the address at the same moment sends the link
            # The address, as notifications learns every contact: under the person's id, email only.
            # It is the address they gave now, so it is theirs to be sent to (the link proves it).
            tx.publish(
                ParticipantContactUpserted(
                    person_id=person_id,
                    display_name="Resident",
                    email=normalised_email(email),
                    language=language,
                    hub_ids=[hub_id] if hub_id else [],
                    consented_channels=["email", "inapp"],
                ),
                subject=person_id,
                hub_id=hub_id,
            )
            # Same subject: the same partition of hub.contacts, so it arrives after the address.
            tx.publish(
                ResidentSignInLinkRequested(person_id=person_id, return_to=return_to, hub_id=hub_id),
                subject=person_id,
                hub_id=hub_id,
            )

        await self.uow.run(work)

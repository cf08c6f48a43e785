"""What partners send on ``hub.participation.inbound`` for the people they meet: a ballot (a paper
ballot at a library's voting station) or a forum registration (a phone line signing someone up).

Each runs the API's own use case, in the consumer's transaction, for the person the partner knows by
its reference: the service knows them as ``partner:<partner id>:<person_ref>``, so their second
ballot replaces the first and a second registration holds the one place, with the same window,
budget, capacity and waitlist rules as a signed-in resident's. A message is taken once per
``ce_source`` + ``partner_ref``; a rule it breaks is raised (it can never become valid).
"""

from __future__ import annotations

from hub_common.clock import Clock
from hub_common.contracts.participation import PartnerBallotSubmitted, PartnerRegistrationSubmitted
from hub_common.partner_grants import PARTNER_SOURCE
from hub_common.uow import Transaction
from hub_participation.adapters.partner_messages import PartnerMessageRepository
from hub_participation.service.pb_ballots import BallotService, Cast
from hub_participation.service.registrations import RegistrationOutcome, RegistrationService


def partner_person_id(source: str, person_ref: str) -> str:
    """The opaque id of a partner's person: stable for the partner and its reference, and distinct
    from every other partner's people."""
    return f"partner:{source.removeprefix(PARTNER_SOURCE)}:{person_ref}"


class PartnerInbound:
    def __init__(
        self,
        ballots: BallotService,
        registrations: RegistrationService,
        messages: PartnerMessageRepository,
        *,
        clock: Clock,
    ) -> None:
        self.ballots = ballots
        self.registrations = registrations
        self.messages = messages
        self.clock = clock

    async def ballot(self, tx: Transaction, source: str, data: PartnerBallotSubmitted) -> Cast | None:
        """The person's ballot (replacing their earlier one); None when this message was taken before."""
        if await self.messages.taken(source, data.partner_ref, tx.session):
            return None
        voter = partner_person_id(source, data.person_ref)
        cast = await self.ballots.cast_in(tx, voter, data.round_id, data.choices, hub_id=data.hub_id)
        await self.messages.record(
            source, data.partner_ref, PartnerBallotSubmitted.event_type, self.clock(), tx.session
        )
        return cast

    async def registration(
        self, tx: Transaction, source: str, data: PartnerRegistrationSubmitted
    ) -> RegistrationOutcome | None:
        """The person's place (or waitlist place); None when this message was taken before."""
        if await self.messages.taken(source, data.partner_ref, tx.session):
            return None
        person = partner_person_id(source, data.person_ref)
        outcome = await self.registrations.register_in(
            tx, person, data.meeting_id, access_needs=data.access_needs, hub_id=data.hub_id
        )
        await self.messages.record(
            source, data.partner_ref, PartnerRegistrationSubmitted.event_type, self.clock(), tx.session
        )
        return outcome

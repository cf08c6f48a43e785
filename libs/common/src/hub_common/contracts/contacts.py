"""Contact details, carried only on ``hub.contacts`` and read only by notifications.

Every service that knows a person publishes their current contact details here (and an erasure
when they ask to be forgotten), so public events can carry opaque person ids alone.
"""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field

from hub_common.contracts.registry import EventData, event_contract
from hub_common.contracts.topics import CONTACTS_TOPIC

Channel = Literal["email", "sms", "inapp"]


class ContactUpserted(EventData):
    """A person's current contact details and the channels they agreed to be contacted on."""

    person_id: str = Field(min_length=1, max_length=128)
    display_name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ]{7,20}$")
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    hub_ids: list[str] = Field(default_factory=list)
    consented_channels: list[Channel] = Field(default_factory=list)


class ContactErased(EventData):
    """The person asked to be forgotten: drop their contact details and pending messages."""

    person_id: str = Field(min_length=1, max_length=128)


# One type per publishing service, so ce_source and ce_type always name the same service.
@event_contract("hub.volunteers.contact.upserted.v1", topic=CONTACTS_TOPIC)
class VolunteerContactUpserted(ContactUpserted):
    """A volunteer's current contact details and consented channels."""


@event_contract("hub.volunteers.contact.erased.v1", topic=CONTACTS_TOPIC)
class VolunteerContactErased(ContactErased):
    """A volunteer asked to be forgotten."""


@event_contract("hub.issues.contact.upserted.v1", topic=CONTACTS_TOPIC)
class ResidentContactUpserted(ContactUpserted):
    """A resident who reported or follows an issue: contact details and consented channels."""


@event_contract("hub.issues.contact.erased.v1", topic=CONTACTS_TOPIC)
class ResidentContactErased(ContactErased):
    """A resident asked to be forgotten."""


@event_contract("hub.assets.contact.upserted.v1", topic=CONTACTS_TOPIC)
class BookerContactUpserted(ContactUpserted):
    """A booker, borrower or group contact: contact details and consented channels."""


@event_contract("hub.assets.contact.erased.v1", topic=CONTACTS_TOPIC)
class BookerContactErased(ContactErased):
    """A booker, borrower or group contact asked to be forgotten."""


@event_contract("hub.participation.contact.upserted.v1", topic=CONTACTS_TOPIC)
class ParticipantContactUpserted(ContactUpserted):
    """A resident who proposed or follows an idea and left contact details to hear about it."""


@event_contract("hub.participation.contact.erased.v1", topic=CONTACTS_TOPIC)
class ParticipantContactErased(ContactErased):
    """A resident who proposed or followed an idea asked to be forgotten."""


@event_contract("hub.volunteers.sign_in_link.requested.v1", topic=CONTACTS_TOPIC)
class VolunteerSignInLinkRequested(EventData):
    """A volunteer asked for an emailed link to sign in to the web app on a later visit.

    Here rather than on the public events topic: ``account_sub`` is whom the link signs in as.
    """

    person_id: str = Field(min_length=1, max_length=128)
    account_sub: str = Field(min_length=1, max_length=128)
    hub_id: str = Field(min_length=1, max_length=64)


@event_contract("hub.participation.sign_in_link.requested.v1", topic=CONTACTS_TOPIC)
class ResidentSignInLinkRequested(EventData):
    """A resident asked for an emailed link that proves their address (to vote in a budgeting round,
    or answer a survey, once). Their address went just before, as a ``ParticipantContactUpserted``
    under the same ``person_id``, which is also the sub the link signs in as (see
    ``hub_common.residents``). On ``hub.contacts``: it names whom a link signs in as.
    """

    person_id: str = Field(min_length=1, max_length=128)
    # The web page the link lands on, signed in (a path of the web app: no scheme, host or query).
    return_to: str = Field(min_length=1, max_length=200, pattern=r"^/[A-Za-z0-9/_-]*$")
    hub_id: str | None = Field(default=None, max_length=64)

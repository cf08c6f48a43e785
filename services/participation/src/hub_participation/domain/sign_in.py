"""Residents who sign in with their email: the sub an address stands for, and how often it may be sent a link.

The sub is a keyed hash of the normalised address (``HUB_RESIDENT_SIGN_IN_KEY``), under the prefix
that marks an email-proved resident (``hub_common.residents``): the same address is the same
resident on every device and browser (so one ballot per round, one answer per survey, holds
across them), and the sub itself names no one to whoever reads a ballot, a token or the database
without the key. Normalising is trimming and lower-casing the whole address: ``Ann@Example.org``
and ``ann@example.org`` are one resident. Provider-specific aliases (dots or ``+tags`` in a
Gmail address) are not folded: each address someone can receive mail at is one resident, which is
as far as an emailed link proves anything.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from pydantic import BaseModel

from hub_common.residents import EMAIL_RESIDENT_PREFIX

LINKS_PER_WINDOW = 3  # links an address may be sent ...
LINK_WINDOW = timedelta(hours=1)  # ... in this long, so the public form cannot flood an inbox
LINK_VALID_FOR = timedelta(hours=1)  # how long a link signs in for (notifications' rule says the same)


def normalised_email(email: str) -> str:
    return email.strip().lower()


def resident_sub(key: bytes, email: str) -> str:
    """The sub the resident with this address signs in as (128 bits of the hash: no collisions)."""
    digest = hmac.new(key, normalised_email(email).encode(), hashlib.sha256).hexdigest()
    return EMAIL_RESIDENT_PREFIX + digest[:32]


class LinksSent(BaseModel):
    """When an address (by its resident's sub, never the address) was last sent links: for the limit only."""

    id: str  # the resident's sub
    sent: list[datetime]  # within the last LINK_WINDOW, oldest first
    expires_at: datetime  # when the record is of no more use (the database deletes it then)

    def recent(self, now: datetime) -> list[datetime]:
        return [at for at in self.sent if now - at < LINK_WINDOW]

    def may_send(self, now: datetime) -> bool:
        return len(self.recent(now)) < LINKS_PER_WINDOW


def after_sending(person_id: str, previous: LinksSent | None, now: datetime) -> LinksSent:
    """The record once one more link is sent now."""
    sent = [*(previous.recent(now) if previous else []), now]
    return LinksSent(id=person_id, sent=sent, expires_at=now + LINK_WINDOW)

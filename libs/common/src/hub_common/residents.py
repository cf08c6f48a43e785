"""Residents known by an email address they proved: the ``sub`` an emailed sign-in link signs in as.

Participation derives it from the address (a keyed hash of the normalised address, so the same
person is the same resident on every device and the sub names no one) and asks notifications to
email the link; the web marks a session signed in by such a link as verified. Both need to tell
such a sub from a browser's pseudonymous one (``web-<uuid>``), hence the shared prefix here.

Why a prefix is enough: a resident token is minted only by the platform's own issuer clients (the
web app, notifications, the CLI), never by a browser or a partner, and none of them makes up a sub
with this prefix: notifications mints it only for the sub participation put in a link request, and
the web only for the sub of a link's token it verified. So a token naming such a sub was earned by
opening a link sent to that address, whoever's client minted the token in hand.
"""

from __future__ import annotations

EMAIL_RESIDENT_PREFIX = "resident-email-"


def is_email_resident(sub: str | None) -> bool:
    """Whether this sub stands for a resident who proved an email address (an emailed link's)."""
    return bool(sub) and sub.startswith(EMAIL_RESIDENT_PREFIX)  # type: ignore[union-attr]

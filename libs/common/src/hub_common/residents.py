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

from typing import TYPE_CHECKING

from hub_common.errors import Forbidden

if TYPE_CHECKING:
    from hub_common.auth import Principal

EMAIL_RESIDENT_PREFIX = "resident-email-"


def is_email_resident(sub: str | None) -> bool:
    """Whether this sub stands for a resident who proved an email address (an emailed link's)."""
    return bool(sub) and sub.startswith(EMAIL_RESIDENT_PREFIX)  # type: ignore[union-attr]


def require_email_resident(caller: Principal, to: str, once: str) -> None:
    """Refuse (403) anyone but a resident who proved an email address, for what is ``once`` per person.

    The one check of every use case kept to one per person (a budgeting ballot, a survey answer):
    a browser's pseudonymous resident is a new person whenever its cookies are cleared.
    """
    caller.require_role("resident")
    if not is_email_resident(caller.sub):
        raise Forbidden(
            f"sign in with your email address to {to}: {once} per resident needs to know who you are on every device"
        )

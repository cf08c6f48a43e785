"""The browser session: a signed, HttpOnly, SameSite=Lax cookie holding who is signed in and a CSRF token.

Nothing is stored server-side (the web app owns no database). Service calls use a short-lived token
the web app asks the platform's issuer for, naming the session's identity (see ``Web.token``), so a
leaked service token is short-lived and the cookie itself is no token.
"""

from __future__ import annotations

import hmac
import secrets
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any, Literal

from itsdangerous import BadSignature, URLSafeTimedSerializer

from hub_common.auth import COUNCILLOR, STAFF_ROLES
from hub_common.residents import is_email_resident

COOKIE_NAME = "hub_session"
MAX_COOKIE_AGE_S = 90 * 24 * 3600
MAX_REMEMBERED_REPORTS = 20  # keeps the cookie well under browsers' 4 KB limit
Kind = Literal["visitor", "resident", "volunteer", "staff"]


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    kind: Kind = "visitor"
    sub: str | None = None
    role: str | None = None  # resident | staff | operator | privacy | councillor (the services' roles)
    hubs: list[str] = field(default_factory=list)
    name: str | None = None
    volunteer_id: str | None = None
    expires_at: float = 0.0
    flash: str | None = None
    reports: list[str] = field(default_factory=list)  # issues reported from this browser, newest first
    # Signed in by an emailed link as the resident an address stands for (hub_common.residents): who
    # may vote in a budgeting round or answer a survey, once per person on any device.
    verified: bool = False
    changed: bool = field(default=False, repr=False, compare=False)

    # -- questions --------------------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        return self.sub is not None and self.expires_at > time.time()

    @property
    def is_verified_resident(self) -> bool:
        """Signed in by an emailed link, as the resident their address stands for (one vote each)."""
        return self.signed_in and self.verified and self.role == "resident" and is_email_resident(self.sub)

    @property
    def is_staff(self) -> bool:
        return self.signed_in and self.role in STAFF_ROLES

    @property
    def is_councillor(self) -> bool:
        return self.signed_in and self.role == COUNCILLOR

    def represents(self, hub_id: str) -> bool:
        """A ward councillor of this hub (they are not its staff)."""
        return self.is_councillor and hub_id in self.hubs

    def can_manage(self, hub_id: str) -> bool:
        return self.is_staff and (self.role == "operator" or hub_id in self.hubs)

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf)

    # -- changes ----------------------------------------------------------------------------------

    def sign_in(
        self,
        *,
        kind: Kind,
        sub: str,
        role: str,
        ttl: timedelta,
        hubs: list[str] | tuple[str, ...] = (),
        name: str | None = None,
        volunteer_id: str | None = None,
        verified: bool = False,
    ) -> None:
        """A new identity gets a new CSRF token too (no token fixation across sign-ins)."""
        self.kind, self.sub, self.role, self.hubs = kind, sub, role, list(hubs)
        self.name, self.volunteer_id, self.verified = name, volunteer_id, verified
        self.expires_at = time.time() + ttl.total_seconds()
        self.csrf = secrets.token_urlsafe(24)
        self.changed = True

    def ensure_resident(self, ttl: timedelta) -> None:
        """A pseudonymous resident identity for this browser, so reports and 'me too's are theirs to follow."""
        if not self.signed_in:
            self.sign_in(kind="resident", sub=f"web-{uuid.uuid4().hex}", role="resident", ttl=ttl)

    def sign_out(self) -> None:
        fresh = Session()
        for name, value in asdict(fresh).items():
            setattr(self, name, value)
        self.changed = True

    def set_flash(self, message: str) -> None:
        self.flash, self.changed = message, True

    def pop_flash(self) -> str | None:
        message, self.flash = self.flash, None
        if message:
            self.changed = True
        return message

    def remember_report(self, issue_id: str) -> None:
        self.reports = [issue_id, *[r for r in self.reports if r != issue_id]][:MAX_REMEMBERED_REPORTS]
        self.changed = True

    def service_identity(self) -> Identity | None:
        """Whom the services are called as for this session (the web app asks the issuer for the token)."""
        if not self.signed_in or self.role is None:
            return None
        return Identity(self.sub or "", self.role, tuple(self.hubs))

    def inbox_identity(self) -> Identity | None:
        """Whom the notifications inbox is read as (volunteers and staff have one).

        Staff read it as themselves. Notifications addresses a volunteer's messages to their
        volunteer record (the events' ``volunteer_id``), not to the resident account they sign in
        with, so a volunteer reads it as that record: the session got the record's id from the
        volunteers service, asked with the account's own token.
        """
        if not self.signed_in:
            return None
        if self.kind == "volunteer" and self.volunteer_id:
            return Identity(self.volunteer_id, "resident", ())
        return self.service_identity() if self.kind == "staff" else None


@dataclass(frozen=True)
class Identity:
    """Whom a service token names: its subject, role and hubs."""

    sub: str
    role: str
    hubs: tuple[str, ...] = ()


class SessionCodec:
    """Signs and checks the cookie (HMAC-SHA1 via itsdangerous, keyed by a server secret)."""

    def __init__(self, key: str) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="hub-web-session")

    def dumps(self, session: Session) -> str:
        data = {k: v for k, v in asdict(session).items() if k != "changed"}
        return self._serializer.dumps(data)

    def loads(self, cookie: str | None) -> Session:
        """The session in the cookie, or a fresh one when it is missing, forged, stale or expired."""
        if not cookie:
            return Session(changed=True)
        try:
            data: dict[str, Any] = self._serializer.loads(cookie, max_age=MAX_COOKIE_AGE_S)
            session = Session(**{k: v for k, v in data.items() if k in Session.__dataclass_fields__})
        except (BadSignature, TypeError, ValueError):
            return Session(changed=True)
        if session.sub is not None and session.expires_at <= time.time():
            session.sign_out()  # expired sign-in: keep nothing of it
        return session

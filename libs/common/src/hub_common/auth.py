"""JWT bearer auth (HS256 with ``HUB_AUTH_SECRET``): who is calling, with which role and hubs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

import jwt

from hub_common.errors import Forbidden, Unauthorized

# ``privacy``: the council's data protection team. It handles requests about one person's data (erasure,
# subject access) across every hub and nothing else: it is not hub staff.
Role = Literal["resident", "staff", "partner", "operator", "privacy"]
ROLES: tuple[str, ...] = get_args(Role)
# The roles that run a hub: its staff, and operators (who act for every hub).
STAFF_ROLES: tuple[Role, ...] = ("staff", "operator")
# Who may handle privacy requests and read the exports they produce.
PRIVACY_ROLES: tuple[Role, ...] = ("privacy", "operator")
ALGORITHM = "HS256"
CLOCK_SKEW_S = 30  # tolerate issuers whose clock runs slightly ahead or behind


@dataclass(frozen=True)
class Principal:
    sub: str
    role: Role
    hubs: tuple[str, ...] = field(default_factory=tuple)

    def can_act_for_hub(self, hub_id: str) -> bool:
        """Operators act everywhere; staff and partners only for the hubs in their token."""
        return self.role == "operator" or hub_id in self.hubs

    def require_hub(self, hub_id: str) -> None:
        if not self.can_act_for_hub(hub_id):
            raise Forbidden(f"your account cannot act for hub {hub_id!r}")

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def is_staff_for(self, hub_id: str) -> bool:
        """Staff of this hub, or an operator."""
        return self.is_staff and self.can_act_for_hub(hub_id)

    def require_staff_for(self, hub_id: str) -> None:
        """403 unless staff of this hub (or an operator): the check every hub-scoped staff route makes."""
        self.require_role(*STAFF_ROLES)
        self.require_hub(hub_id)


def issue_token(
    secret: str, *, sub: str, role: Role, hubs: list[str] | tuple[str, ...] = (), ttl: timedelta = timedelta(hours=8)
) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    now = datetime.now(UTC)
    claims = {"sub": sub, "role": role, "hubs": list(hubs), "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], leeway=CLOCK_SKEW_S, options={"require": ["sub", "role", "exp"]}
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("your sign-in has expired; sign in again") from None
    except jwt.PyJWTError:
        raise Unauthorized("the bearer token is not valid") from None
    role, hubs = claims.get("role"), claims.get("hubs", [])
    if role not in ROLES:
        raise Unauthorized(f"unknown role {role!r} in token")
    if not isinstance(hubs, list) or not all(isinstance(h, str) for h in hubs):
        raise Unauthorized("the 'hubs' claim must be a list of hub ids")
    return Principal(sub=str(claims["sub"]), role=role, hubs=tuple(hubs))

"""OAuth clients of the issuer: the platform's own (web app, notifications, CLI) and partners.

A client gets a token for itself with the client-credentials grant (a partner: role ``partner`` for
its granted hubs). The platform's own clients may also ask for a token on behalf of someone they
signed in themselves (the web app, a staff member; notifications, the recipient of an emailed
sign-in link), for the roles listed in ``issues_for`` only. Holding such a client secret is less
than holding the signing key was: it is one client's, can be revoked or rotated at the issuer
alone, is limited to its roles and lifetimes, and every token it gets names it (``client_id``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import BaseModel, Field, TypeAdapter

from hub_common.auth import Role


class PlatformClient(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    secret: str = Field(min_length=8)
    role: Role | None = None  # its own role, for the client-credentials grant (None: it has none)
    issues_for: list[Role] = Field(default_factory=list)
    max_ttl_s: int = Field(default=3600, ge=60)


def platform_clients(configured: str) -> dict[str, PlatformClient]:
    """The clients configured in HUB_ISSUER_CLIENTS (a JSON list), by id."""
    clients = TypeAdapter(list[PlatformClient]).validate_python(json.loads(configured))
    return {c.id: c for c in clients}


@dataclass(frozen=True)
class TokenRequest:
    """What a token is asked for: whom it names, in which role and hubs, for how long."""

    sub: str
    role: Role
    hubs: tuple[str, ...]
    ttl_s: int
    client_id: str


class OAuthError(Exception):
    """A token request refused, in RFC 6749 §5.2's terms (the token endpoint answers with them)."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

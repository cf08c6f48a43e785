"""FastAPI dependencies every service's routers use: auth, paging, idempotency, If-Match."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub_common.auth import Principal, Role, decode_token
from hub_common.concurrency import expected_version
from hub_common.errors import Unauthorized
from hub_common.pagination import DEFAULT_LIMIT, MAX_LIMIT
from hub_common.uow import IdempotentRequest

_bearer = HTTPBearer(auto_error=False, description="JWT signed with HS256 (claims: sub, role, hubs)")


# Dependencies are ``async def`` although they do no I/O: FastAPI runs plain ``def`` dependencies in a
# worker thread, a hop that cost more than the work itself on every request.


async def optional_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    if credentials is None:
        return None
    principal = decode_token(request.app.state.settings.auth_secret.get_secret_value(), credentials.credentials)
    request.state.principal = principal
    return principal


async def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>'")
    return principal


def require_roles(*roles: Role):
    """A dependency that admits only the given roles (401 when anonymous, 403 otherwise)."""

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        principal.require_role(*roles)
        return principal

    dependency.__name__ = f"require_{'_or_'.join(roles)}"
    return dependency


class PageQuery:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
    ) -> None:
        self.limit = limit
        self.cursor = cursor


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Repeat a create safely: a repeat with the same key returns the first result",
    ),
]

IfMatchHeader = Annotated[str | None, Header(alias="If-Match", description="ETag from your last read")]


def idempotent_request(
    key: str | None, request: Request, principal: Principal | None, body: Any
) -> IdempotentRequest | None:
    if key is None:
        return None
    if principal is not None:
        return IdempotentRequest.of(key, caller=principal.sub, method=request.method, path=request.url.path, body=body)
    # Anonymous callers share no identity, so a key only matches the very same request body:
    # one resident can never be handed the result of another's request.
    anonymous = IdempotentRequest.of(key, caller="anonymous", method=request.method, path=request.url.path, body=body)
    return IdempotentRequest(
        key=key, scope=f"{anonymous.scope}|{anonymous.fingerprint}", fingerprint=anonymous.fingerprint
    )


async def if_match_version(if_match: IfMatchHeader = None) -> int | None:
    return expected_version(if_match)

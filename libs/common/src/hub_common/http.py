"""The HTTP plumbing every service's routers share, defined once (``Annotated`` dependency aliases).

A route says what it needs in its signature and nothing more::

    @router.post("/v1/shifts", status_code=201)
    async def create_shift(body: CreateShift, caller: Caller, shifts: Shifts, idempotency: Idempotency) -> Shift:
        shift = await shifts.create(caller, body, idempotency)
        ...

- ``Caller`` / ``OptionalCaller``: the signed-in principal (401 without a valid token) or ``None``.
- ``StaffForHub``: a principal who is staff of the route's ``hub_id`` (path or query) or an operator.
- ``Paging``: ``limit`` and ``cursor``; ``IfMatch``: the version an ``If-Match`` header names.
- ``Idempotency``: the ``Idempotency-Key`` of a create, scoped to its caller and route, with a
  fingerprint of the request body, for :meth:`hub_common.uow.UnitOfWork.run`.
- :func:`set_etag` is the one way a response gets its ``ETag``; :func:`use_case` hands a route the
  use-case object the service's composition root built once for the process.

Status codes and authorisation stay visible in each route: there is no generic CRUD router.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import Depends, Header, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub_common.auth import Principal, Role
from hub_common.concurrency import etag_for, expected_version
from hub_common.errors import Unauthorized
from hub_common.pagination import DEFAULT_LIMIT, MAX_LIMIT
from hub_common.uow import IdempotentRequest

T = TypeVar("T")

_bearer = HTTPBearer(
    auto_error=False, description="JWT from the platform's issuer, ES256 (claims: sub, role, hubs, iss, aud, exp)"
)


# Dependencies are ``async def`` (most do no I/O): FastAPI runs plain ``def`` dependencies in a worker
# thread, a hop that cost more than the work itself on every request.


async def optional_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    if credentials is None:
        return None
    principal = await request.app.state.verifier.verify(credentials.credentials)
    request.state.principal = principal
    return principal


async def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>'")
    return principal


OptionalCaller = Annotated[Principal | None, Depends(optional_principal)]
Caller = Annotated[Principal, Depends(current_principal)]


async def staff_for_hub(hub_id: str, principal: Caller) -> Principal:
    """The caller, if staff of ``hub_id`` (the route's path or query parameter) or an operator."""
    principal.require_staff_for(hub_id)
    return principal


StaffForHub = Annotated[Principal, Depends(staff_for_hub)]


def require_roles(*roles: Role):
    """A dependency that admits only the given roles (401 when anonymous, 403 otherwise)."""

    async def dependency(principal: Caller) -> Principal:
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


Paging = Annotated[PageQuery, Depends()]

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


def request_body_fingerprint_source(content_type: str, raw: bytes) -> Any:
    """What an idempotent request's body is compared by: the JSON value (key order and spacing do
    not matter), the sorted form fields, or else the raw bytes."""
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        if media == "application/json" or media.endswith("+json"):
            return json.loads(raw) if raw else None
        if media == "application/x-www-form-urlencoded":
            return sorted(parse_qsl(raw.decode(), keep_blank_values=True))
    except (ValueError, UnicodeDecodeError):
        pass  # the route's own validation answers 422; compare the bytes meanwhile
    return raw.hex()


def idempotency_for(caller: Callable[..., Any]) -> Any:
    """A dependency giving the request's ``Idempotency-Key`` (None without the header), scoped to
    the principal that ``caller`` (a dependency) signs in and to the route, with the body's
    fingerprint. The body is the one the route parses too: Starlette reads it once and keeps it.

    Most routes take ``Idempotency`` (the Bearer caller); a route that signs callers in another way
    (Open311's ``api_key``) passes its own dependency, so keys stay its callers' own."""

    async def dependency(
        request: Request, principal: Principal | None, key: str | None = None
    ) -> IdempotentRequest | None:
        if key is None:
            return None
        body = request_body_fingerprint_source(request.headers.get("content-type", ""), await request.body())
        return idempotent_request(key, request, principal, body)

    # The caller dependency is a value of this call, which a string annotation (this module's
    # ``from __future__ import annotations``) could not name: FastAPI reads this signature instead.
    dependency.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
            inspect.Parameter(
                "principal",
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=Annotated[Principal | None, Depends(caller)],
            ),
            inspect.Parameter(
                "key", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=IdempotencyKeyHeader
            ),
        ]
    )
    return Depends(dependency)


Idempotency = Annotated[IdempotentRequest | None, idempotency_for(optional_principal)]


async def if_match_version(if_match: IfMatchHeader = None) -> int | None:
    return expected_version(if_match)


IfMatch = Annotated[int | None, Depends(if_match_version)]


def set_etag(response: Response, version: int) -> None:
    """The one way a response carries its resource's ``ETag`` (``"v<version>"``)."""
    response.headers["ETag"] = etag_for(version)


def use_case(pick: Callable[[Any], T]) -> Any:
    """A dependency handing a route one use-case object of the service, picked from what its
    composition root built once per process (``request.app.state.use_cases``)::

        Shifts = Annotated[ShiftService, use_case(lambda uc: uc.shifts)]
    """

    async def dependency(request: Request) -> T:
        return pick(request.app.state.use_cases)

    return Depends(dependency)

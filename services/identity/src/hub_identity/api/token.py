"""``POST /oauth/token``: the OAuth 2.0 token endpoint (RFC 6749), form-encoded, answering in its terms.

Two grants:
- ``client_credentials`` (§4.4): a client's token for itself. A partner gets role ``partner`` for the
  hubs it is granted; the hub CLI, role ``operator``.
- ``urn:community-hub:grant-type:on-behalf-of`` (an extension grant, §4.5): one of the platform's own
  clients asks for a token for someone it signed in itself (``sub``, ``role``, ``hubs`` space-separated,
  ``expires_in``), in a role it may issue for. The web app uses it for its sessions; notifications for
  the sign-in links it emails.
Clients authenticate with HTTP Basic (preferred) or ``client_id``/``client_secret`` in the form.
Errors are RFC 6749 §5.2 JSON (``error``, ``error_description``), which every OAuth client reads.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qsl, unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hub_common.issuer import ON_BEHALF_OF
from hub_identity.api.deps import Tokens
from hub_identity.domain.clients import OAuthError

router = APIRouter(tags=["issuer"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # §5.1: tokens are never cached


@router.post(
    "/oauth/token",
    summary="Get a token (client credentials, or on behalf of someone a platform client signed in)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials", ON_BEHALF_OF]},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                            "sub": {"type": "string"},
                            "role": {"type": "string"},
                            "hubs": {"type": "string", "description": "space-separated hub ids"},
                            "expires_in": {"type": "integer"},
                        },
                    }
                }
            },
        }
    },
)
async def token(request: Request, tokens: Tokens) -> JSONResponse:
    try:
        form = await _form(request)
        client_id, secret = _client(request, form)
        grant = form.get("grant_type")
        if grant == "client_credentials":
            issued = await tokens.client_credentials(client_id, secret)
        elif grant == ON_BEHALF_OF:
            issued = await tokens.on_behalf_of(
                client_id,
                secret,
                sub=form.get("sub", ""),
                role=form.get("role", ""),
                hubs=form.get("hubs", "").split(),
                ttl_s=_int(form.get("expires_in")),
            )
        elif not grant:
            raise OAuthError("invalid_request", "grant_type is required")
        else:
            raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported here")
    except OAuthError as refused:
        headers = dict(NO_STORE)
        if refused.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="community-hub"'
        body = {"error": refused.error, "error_description": refused.description}
        return JSONResponse(body, status_code=refused.status, headers=headers)
    body: dict[str, Any] = {
        "access_token": issued.access_token,
        "token_type": issued.token_type,
        "expires_in": issued.expires_in,
    }
    return JSONResponse(body, headers=NO_STORE)


async def _form(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "send the token request form-encoded (application/x-www-form-urlencoded)")
    pairs = parse_qsl((await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True)
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:  # §3.2: parameters must not be repeated
            raise OAuthError("invalid_request", f"{name!r} is given more than once")
        form[name] = value
    return form


def _client(request: Request, form: dict[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
            client_id, secret = decoded.split(":", 1)
        except (ValueError, UnicodeDecodeError):
            raise OAuthError("invalid_client", "the Basic credentials cannot be read", status=401) from None
        return unquote(client_id), unquote(secret)  # §2.3.1: form-url-encoded before Basic encoding
    if form.get("client_id") and form.get("client_secret"):
        return form["client_id"], form["client_secret"]
    raise OAuthError(
        "invalid_client", "authenticate the client (HTTP Basic, or client_id and client_secret)", status=401
    )


def _int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        raise OAuthError("invalid_request", "expires_in must be a whole number of seconds") from None
    if number < 60:
        raise OAuthError("invalid_request", "expires_in must be at least 60 seconds")
    return number

"""The issuer's public documents: its JWKS and an OpenID-style discovery document (RFC 8414)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from hub_common.issuer import ON_BEHALF_OF
from hub_identity.api.deps import Keys

router = APIRouter(tags=["issuer"])


@router.get("/.well-known/jwks.json", summary="The public keys tokens are verified with (JWKS, RFC 7517)")
async def jwks(response: Response, keys: Keys) -> dict[str, Any]:
    # Verifiers cache it; a minute's browser/proxy caching is well inside the rotation's publish-ahead.
    response.headers["Cache-Control"] = "public, max-age=60"
    return await keys.jwks()


@router.get("/.well-known/oauth-authorization-server", summary="What this issuer is and does (RFC 8414)")
@router.get("/.well-known/openid-configuration", include_in_schema=False)
async def metadata(request: Request) -> dict[str, Any]:
    issuer = request.app.state.settings.auth_issuer.rstrip("/")
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "token_endpoint": f"{issuer}/oauth/token",
        "grant_types_supported": ["client_credentials", ON_BEHALF_OF],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
    }

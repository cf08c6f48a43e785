"""Staff sign-in through the council's OpenID Connect provider: the way there and the way back.

What the provider says about the person (their groups) becomes the staff session through
``HUB_WEB_OIDC_GROUP_MAP``; from there on the session is the same as a password sign-in's.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hub_web.clients import ServiceDown
from hub_web.deps import Form, WebDep
from hub_web.oidc import (
    CALLBACK_PATH,
    TRANSACTION_COOKIE,
    TRANSACTION_PATH,
    TRANSACTION_S,
    OidcSignIn,
    ProviderUnavailable,
    SignInRefused,
    callback_url,
    subject_of,
)
from hub_web.routes.auth import safe_next, staff_home
from hub_web.web import Web

router = APIRouter(include_in_schema=False)


def provider(web: Web) -> OidcSignIn:
    if web.oidc is None:
        raise SignInRefused(404, "Page not found", "Signing in with a council account is not set up here.")
    return web.oidc


@router.post("/auth/oidc/start")
async def start(request: Request, web: WebDep, form: Form) -> Response:
    """A form's POST (with the page's CSRF token), so no other site can start a sign-in for this browser."""
    oidc = provider(web)
    try:
        url, transaction = await oidc.begin(callback_url(web.settings, request), safe_next(form.one("next"), ""))
    except ProviderUnavailable as exc:
        raise ServiceDown("sign-in provider", str(exc)) from None
    response = web.redirect(url)
    response.set_cookie(
        TRANSACTION_COOKIE,
        oidc.codec.dumps(transaction),
        max_age=TRANSACTION_S,
        path=TRANSACTION_PATH,
        httponly=True,
        samesite="lax",  # the provider's redirect back is a top-level GET: Lax cookies go with it
        secure=web.settings.cookie_secure,
    )
    return response


@router.get(CALLBACK_PATH, name="oidc_callback")
async def callback(request: Request, web: WebDep) -> Response:
    oidc = provider(web)
    transaction = oidc.codec.loads(request.cookies.get(TRANSACTION_COOKIE))
    try:
        identity = await oidc.finish(dict(request.query_params), transaction, callback_url(web.settings, request))
    except ProviderUnavailable as exc:
        raise ServiceDown("sign-in provider", str(exc)) from None
    finally:
        request.state.clear_oidc_transaction = True  # single use, whatever the outcome (see app.py)
    access = identity.access
    web.session(request).sign_in(
        kind="staff",
        sub=subject_of(identity),
        role=access.role,
        hubs=access.hubs,
        name=identity.name,
        ttl=timedelta(hours=web.settings.staff_session_hours),
    )
    assert transaction is not None  # finish() refused a callback without one
    return web.redirect(safe_next(transaction.next_url, staff_home(access.role)))

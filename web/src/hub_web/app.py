"""The web app factory: session cookie, security headers, friendly error pages, the page routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub_common.auth import verifier_for
from hub_common.issuer import IssuerClient, IssuerUnavailable
from hub_web import i18n
from hub_web.accounts import AccountBook, demo_accounts, parse_accounts
from hub_web.clients import (
    AssetsClient,
    IssuesClient,
    NotificationsClient,
    ServiceDown,
    ServiceProblem,
    Services,
    VolunteersClient,
)
from hub_web.deps import CsrfFailed, NeedsSignIn, NotAllowed
from hub_web.i18n import _
from hub_web.oidc import TRANSACTION_COOKIE, TRANSACTION_PATH, OidcSignIn, SignInRefused
from hub_web.participation_client import ParticipationClient
from hub_web.routes import (
    attendance,
    auth,
    budgeting,
    budgeting_staff,
    console,
    councillor,
    email_sign_in,
    hours,
    inbox,
    insight,
    oidc,
    participate,
    participation_staff,
    photos,
    privacy,
    public,
    resident_requests,
    residents,
    staff,
    volunteers,
)
from hub_web.session import COOKIE_NAME, MAX_COOKIE_AGE_S, SessionCodec
from hub_web.settings import WebSettings
from hub_web.web import Web

STATIC = Path(__file__).parent / "static"


def content_security_policy(tile_origin: str, sign_in_origin: str | None = None) -> str:
    """No inline scripts or styles, and nothing from other sites but the map's street tiles (images
    only): a script injected through a field cannot run, and the pages work without the tiles.
    Forms post here only; the council's sign-in provider is named too because browsers apply
    form-action to where a form's answer redirects (the sign-in and sign-out buttons go there)."""
    form_action = f"'self' {sign_in_origin}" if sign_in_origin else "'self'"
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: {tile_origin}; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    )


def map_files(folder: Path, script: str, what: str, setting: str) -> StaticFiles:
    """An npm package's dist folder the web map needs, refused at start when it is not there."""
    if not (folder / script).is_file():
        raise RuntimeError(
            f"{what} is missing from {folder}: run `make install` (or `scripts/infra.sh install`), "
            f"or set {setting} to its dist folder"
        )
    return StaticFiles(directory=folder)


def build_services(settings: WebSettings, transport: httpx.AsyncBaseTransport | None = None) -> Services:
    timeout = settings.request_timeout_s
    return Services(
        volunteers=VolunteersClient("volunteers", settings.volunteers_url, timeout_s=timeout, transport=transport),
        issues=IssuesClient("issues", settings.issues_url, timeout_s=timeout, transport=transport),
        assets=AssetsClient("assets", settings.assets_url, timeout_s=timeout, transport=transport),
        notifications=NotificationsClient(
            "notifications", settings.notifications_url, timeout_s=timeout, transport=transport
        ),
        participation=ParticipationClient(
            "participation", settings.participation_url, timeout_s=timeout, transport=transport
        ),
    )


def create_app(settings: WebSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    settings = settings or WebSettings()
    accounts = parse_accounts(settings.staff_accounts)
    if settings.demo_accounts:
        accounts += demo_accounts()
    sign_in = OidcSignIn(settings) if settings.oidc_enabled else None
    issuer = IssuerClient(
        settings.issuer_url or settings.auth_issuer,
        settings.issuer_client_id,
        settings.issuer_client_secret.get_secret_value(),
    )
    web = Web(
        settings, build_services(settings, transport), AccountBook(accounts), issuer, verifier_for(settings), sign_in
    )
    codec = SessionCodec(settings.cookie_key)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await web.services.close()
        await issuer.close()

    app = FastAPI(title=settings.service_name, docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.web = web
    leaflet = map_files(settings.leaflet_dir, "leaflet.js", "Leaflet (the web map)", "HUB_WEB_LEAFLET_DIR")
    clusters = map_files(
        settings.markercluster_dir,
        "leaflet.markercluster.js",
        "Leaflet.markercluster (the web map's pin clusters)",
        "HUB_WEB_MARKERCLUSTER_DIR",
    )
    app.mount("/static/leaflet", leaflet, name="leaflet")
    app.mount("/static/markercluster", clusters, name="markercluster")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    csp = content_security_policy(settings.map_tile_origin, sign_in.origin if sign_in else None)

    @app.middleware("http")
    async def session_and_headers(request: Request, call_next) -> Response:
        session = codec.loads(request.cookies.get(COOKIE_NAME))
        request.state.session = session
        language = i18n.choose(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))
        with i18n.speaking(language):  # the endpoint's task copies this context, so it speaks it too
            response: Response = await call_next(request)
        if session.changed:
            response.set_cookie(
                COOKIE_NAME,
                codec.dumps(session),
                max_age=MAX_COOKIE_AGE_S,
                httponly=True,
                samesite="lax",
                secure=settings.cookie_secure,
                path="/",
            )
        if getattr(request.state, "clear_oidc_transaction", False):
            response.delete_cookie(TRANSACTION_COOKIE, path=TRANSACTION_PATH, httponly=True, samesite="lax")
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"  # sign-in links carry tokens
        response.headers["X-Frame-Options"] = "DENY"
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["Content-Language"] = language
            response.headers["Vary"] = "Accept-Language, Cookie"
        if not request.url.path.startswith("/static/") and "cache-control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"  # pages show personal data
        return response

    async def error_page(request: Request, status: int, title: str, message: str, **extra) -> HTMLResponse:
        if not hasattr(request.state, "session"):
            request.state.session = codec.loads(request.cookies.get(COOKIE_NAME))
        return await web.render(request, "error.html", status=status, title=title, message=message, **extra)

    @app.exception_handler(ServiceDown)
    @app.exception_handler(IssuerUnavailable)  # no token for the call: the same for the person
    async def service_down(request: Request, exc: Exception) -> HTMLResponse:
        response = await error_page(
            request,
            503,
            _("Sorry, there is a problem with the service"),
            _(
                "Part of the service is not answering at the moment. Try again in a few minutes. "
                "Anything you have not sent yet has not been saved."
            ),
        )
        response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(ServiceProblem)
    async def service_problem(request: Request, exc: ServiceProblem) -> Response:
        if exc.status == 401:
            request.state.session.sign_out()
            return web.redirect(f"/sign-in?next={request.url.path}")
        if exc.status == 403:
            return await error_page(request, 403, _("You cannot do this"), exc.detail)
        if exc.status == 404:
            return await error_page(
                request, 404, _("Page not found"), _("We could not find what you were looking for.")
            )
        return await error_page(request, exc.status, _("Sorry, that did not work"), exc.detail)

    @app.exception_handler(SignInRefused)
    async def sign_in_refused(request: Request, exc: SignInRefused) -> HTMLResponse:
        return await error_page(request, exc.status, exc.title, exc.message, sign_in_again=exc.status != 404)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> HTMLResponse:
        return await error_page(
            request,
            400,
            _("Your form has expired"),
            _("For your security we could not accept that form. Go back, reload the page and try again."),
        )

    @app.exception_handler(NeedsSignIn)
    async def needs_sign_in(request: Request, exc: NeedsSignIn) -> Response:
        return web.redirect(f"/sign-in?next={exc.next_url}")

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: NotAllowed) -> HTMLResponse:
        return await error_page(request, 403, _("You cannot see this page"), exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return await error_page(
                request, 404, _("Page not found"), _("If you typed the web address, check it is correct.")
            )
        if exc.status_code == 405:
            return await error_page(
                request, 405, _("Sorry, that did not work"), _("That page cannot be used like this.")
            )
        return await error_page(request, exc.status_code, _("Sorry, that did not work"), str(exc.detail))

    @app.get("/health/live", include_in_schema=False)
    async def live() -> PlainTextResponse:
        return PlainTextResponse("ok")

    routers = (public, residents, photos, volunteers, hours, attendance, privacy, insight, staff, inbox, auth, oidc)
    routers += (console, resident_requests)  # the console's lists; residents ask to borrow and book
    routers += (participate, participation_staff)  # have your say: ideas, forums, surveys; their console
    routers += (budgeting, budgeting_staff)  # have your say: participatory budgeting; its console
    routers += (councillor,)  # ward councillors: their ward's brief and their public comments
    routers += (email_sign_in,)  # residents sign in by an emailed link: one vote, one answer each
    for router in (module.router for module in routers):
        app.include_router(router)
    return app

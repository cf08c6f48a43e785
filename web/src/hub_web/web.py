"""What every page needs: settings, the service clients, staff accounts and sign-in, templates, the session."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape

from hub_common.auth import Principal, TokenVerifier
from hub_common.errors import ServiceUnavailable, Unauthorized
from hub_common.issuer import IssuerClient
from hub_web import i18n
from hub_web.accounts import AccountBook
from hub_web.check_in import CheckInCodes
from hub_web.clients import ServiceDown, ServiceProblem, Services
from hub_web.forms import Errors, FormData
from hub_web.i18n import N_
from hub_web.oidc import OidcSignIn
from hub_web.session import Identity, Session
from hub_web.settings import WebSettings

LOCAL_TZ = ZoneInfo("Europe/London")
HUB_CACHE_S = 60.0
STATUS_WORDS = {
    "reported": N_("Reported"),
    "acknowledged": N_("Acknowledged"),
    "in_progress": N_("Work in progress"),
    "referred": N_("Passed to another organisation"),
    "fixed": N_("Fixed"),
    "closed": N_("Closed"),
    "closed_not_fixed": N_("Closed without a fix"),
    "duplicate": N_("Duplicate"),
}
OPEN_STATUSES = ("reported", "acknowledged", "in_progress", "referred")


def when(value: str | datetime | None, *, with_time: bool = True) -> str:
    """'Saturday 6 December 2026, 10:00' in UK time: dates people read without converting."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return i18n.local_datetime(moment.astimezone(LOCAL_TZ), with_time=with_time)


@pass_context
def category_in_language(context: Any, name: str) -> str:
    """``{{ issue.service_name | category }}``: the category's name in the page's language."""
    return context.get("category_words", {}).get(name, name)


def status_words(status: str) -> str:
    """A workflow status as residents read it, in the page's language."""
    words = STATUS_WORDS.get(status)
    return i18n.translate(words) if words else str(status).replace("_", " ").capitalize()


def clock(value: str | datetime) -> str:
    """'17:25' in UK time: a time later the same day, where the date would be noise."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{(moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LOCAL_TZ):%H:%M}"


def iso_date(value: str | datetime | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(LOCAL_TZ).date().isoformat() if moment.tzinfo else moment.date().isoformat()


class Web:
    def __init__(
        self,
        settings: WebSettings,
        services: Services,
        accounts: AccountBook,
        issuer: IssuerClient,
        verifier: TokenVerifier,
        oidc: OidcSignIn | None = None,
    ) -> None:
        self.settings = settings
        self.services = services
        self.issuer = issuer  # tokens for the people this app signed in
        self.verifier = verifier  # checks the tokens in our emails' links
        self.accounts = accounts
        self.oidc = oidc  # the council's OpenID provider, when HUB_WEB_OIDC_ISSUER_URL is set
        self.check_in_codes = CheckInCodes(settings.cookie_key)
        self.env = Environment(
            loader=PackageLoader("hub_web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["when"] = when
        self.env.filters["day"] = lambda v: when(v, with_time=False)
        self.env.filters["iso_date"] = iso_date
        self.env.filters["clock"] = clock
        self.env.filters["hours"] = lambda v: f"{round(float(v), 2):g}"  # 3, 2.5, 10.25: no "3.0"
        self.env.filters["status_words"] = status_words
        self.env.filters["category"] = category_in_language
        self.env.add_extension("jinja2.ext.i18n")
        # newstyle: _("%(n)s reports", n=3) formats and autoescapes inside the call, as in the code.
        self.env.install_gettext_callables(i18n.translate, i18n.translate_plural, newstyle=True)  # type: ignore[attr-defined]
        self.env.globals["LANGUAGES"] = i18n.LANGUAGES
        self.env.globals["colour_for"] = settings.colour_for
        self.env.globals["OPEN_STATUSES"] = OPEN_STATUSES
        self.env.globals["options"] = lambda items, value, label: [(i[value], i[label]) for i in items]
        self._hubs: list[dict[str, Any]] = []
        self._hubs_at = 0.0
        self._category_words: dict[str, dict[str, str]] = {}
        self._category_words_at = 0.0

    # -- sessions and tokens ----------------------------------------------------------------------

    @staticmethod
    def session(request: Request) -> Session:
        return request.state.session

    async def token(self, request: Request) -> str | None:
        return await self._token_for(self.session(request).service_identity())

    async def _token_for(self, identity: Identity | None) -> str | None:
        """A token from the issuer naming ``identity`` (cached by the issuer client until near expiry)."""
        if identity is None:
            return None
        ttl_s = int(self.settings.service_token_minutes * 60)
        return await self.issuer.on_behalf_of(identity.sub, identity.role, identity.hubs, ttl_s=ttl_s)

    async def link_principal(self, token: str) -> Principal | None:
        """Whom a link from one of our emails signs in as: a resident (or a volunteer's own account,
        which is a resident one); None when its token is expired, forged or anyone else's."""
        try:
            principal = await self.verifier.verify(token)
        except (Unauthorized, ServiceUnavailable):
            return None
        return principal if principal.role == "resident" else None

    async def resident_token(self, request: Request) -> str:
        """Sign the browser in as a (pseudonymous) resident if it is not signed in yet; their token."""
        session = self.session(request)
        session.ensure_resident(timedelta(days=self.settings.resident_session_days))
        token = await self.token(request)
        assert token is not None
        return token

    # -- hubs -------------------------------------------------------------------------------------

    async def hubs(self) -> list[dict[str, Any]]:
        """The hubs (from the issues service), cached for a minute: they change rarely."""
        if not self._hubs or time.monotonic() - self._hubs_at > HUB_CACHE_S:
            self._hubs = sorted(await self.services.issues.hubs(), key=lambda h: h["name"])
            self._hubs_at = time.monotonic()
        return self._hubs

    async def category_words(self) -> dict[str, str]:
        """Category names in the page's language, by their own (English) name: a report carries the
        name of its category as it was reported, so the pages that list reports look it up here.
        From every hub's catalogue, cached like the hubs; empty in English, or when issues does not
        answer (the names then show as reported)."""
        language = i18n.current()
        if language == i18n.SOURCE:
            return {}
        if time.monotonic() - self._category_words_at > HUB_CACHE_S:
            try:
                hubs = await self.hubs()
                catalogues = await asyncio.gather(*(self.services.issues.categories(h["id"]) for h in hubs))
            except (ServiceDown, ServiceProblem):
                return self._category_words.get(language, {})
            words: dict[str, dict[str, str]] = {}
            for category in chain.from_iterable(catalogues):
                for code, wording in (category.get("translations") or {}).items():
                    words.setdefault(code, {}).setdefault(category["name"], wording["name"])
            self._category_words, self._category_words_at = words, time.monotonic()
        return self._category_words.get(language, {})

    async def hub_names(self) -> dict[str, str]:
        return {h["id"]: h["name"] for h in await self.hubs()}

    # -- pages ------------------------------------------------------------------------------------

    async def inbox_token(self, request: Request) -> str | None:
        return await self._token_for(self.session(request).inbox_identity())

    async def unread_messages(self, request: Request) -> int | None:
        """How many in-app messages the signed-in volunteer or staff member has not read, for the
        header; None for everyone else, or when notifications does not answer (the page still works)."""
        token = await self.inbox_token(request)
        if token is None:
            return None
        try:
            return await self.services.notifications.unread_count(token)
        except (ServiceDown, ServiceProblem):
            return None

    async def render(
        self,
        request: Request,
        template: str,
        *,
        status: int = 200,
        title: str,
        errors: Errors | None = None,
        form: FormData | None = None,
        hub: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        session = self.session(request)
        shown = i18n._("Error: %(title)s", title=title) if errors else title
        page_title = f"{shown} - {self.settings.service_name}"
        html = self.env.get_template(template).render(
            request=request,
            session=session,
            csrf_token=session.csrf,
            flash=session.pop_flash(),
            service_name=self.settings.service_name,
            page_title=page_title,
            title=title,
            errors=errors or Errors(),
            form=form or FormData(),
            hub=hub,
            brand_colour=self.settings.colour_for(hub["id"] if hub else None),
            dev_sign_in=self.settings.dev_sign_in,
            unread=await self.unread_messages(request),
            language=i18n.current(),
            category_words=await self.category_words(),
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=headers)

    @staticmethod
    def redirect(url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

"""Staff sign-in through the council's OpenID Connect provider, with Authlib as the client.

The authorization code flow with PKCE (S256): the web app sends the browser to the provider with
a fresh ``state``, ``nonce`` and code challenge; the provider sends it back to the callback with a
code, which the web app exchanges (with its client secret and the code verifier) for an ID token.
The ID token is verified against the provider's JWKS, found through its discovery document:
signature (asymmetric algorithms only), issuer, audience, expiry, nonce and ``at_hash``.

The web app owns no database, so the transaction (state, nonce, verifier, where to go after) rides
in a cookie of its own, signed, sent only to the callback's path, valid for ten minutes and cleared
by the callback whatever its outcome: a state is good for one callback, from the browser it was
given to.
"""

from __future__ import annotations

import hmac
import logging
import warnings
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.oidc.core import CodeIDToken
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from starlette.requests import Request

from hub_web.oidc_groups import GroupMap, StaffAccess, parse_group_map
from hub_web.settings import WebSettings

with warnings.catch_warnings():
    # Authlib 1.9 would rather use the httpx2 package and warns when it falls back to httpx, the one
    # the web app already uses for the services. The fallback is what we want: its errors are the
    # httpx errors caught below (test_oidc_pages checks that Authlib still uses httpx).
    warnings.filterwarnings("ignore", message="The httpx module is deprecated", category=DeprecationWarning)
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

log = logging.getLogger(__name__)

TRANSACTION_COOKIE = "hub_oidc"
CALLBACK_PATH = "/auth/oidc/callback"
TRANSACTION_PATH = "/auth/oidc"  # the cookie goes to the callback only, not with every page
TRANSACTION_S = 600  # long enough to type a password (and a second factor), short enough to go stale
# Asymmetric algorithms only, whatever the discovery document lists: an ID token "signed" with
# HS256 (keyed by the client secret, or by a public key in an algorithm confusion) is refused.
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
CLOCK_LEEWAY_S = 60


class SignInRefused(Exception):
    """The callback cannot sign anyone in; ``message`` is what the person is told (never the cause)."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(title)
        self.status, self.title, self.message = status, title, message


class ProviderUnavailable(Exception):
    """The provider did not answer (or answered nonsense): a 'try again later', not the person's fault."""


@dataclass(frozen=True)
class Transaction:
    state: str
    nonce: str
    verifier: str
    next_url: str


@dataclass(frozen=True)
class StaffIdentity:
    sub: str  # the provider's subject: stable, unlike the username
    name: str
    access: StaffAccess


class TransactionCodec:
    def __init__(self, key: str) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="hub-web-oidc-transaction")

    def dumps(self, transaction: Transaction) -> str:
        return self._serializer.dumps(asdict(transaction))

    def loads(self, cookie: str | None) -> Transaction | None:
        if not cookie:
            return None
        try:
            return Transaction(**self._serializer.loads(cookie, max_age=TRANSACTION_S))
        except (BadSignature, TypeError, ValueError):
            return None


class OidcSignIn:
    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.issuer = settings.oidc_issuer_url.rstrip("/")
        self.group_map: GroupMap = parse_group_map(settings.oidc_group_map)
        self.codec = TransactionCodec(settings.cookie_key)
        discovery = settings.oidc_discovery_url or f"{self.issuer}/.well-known/openid-configuration"
        self._client: StarletteOAuth2App = OAuth().register(
            "council",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value(),
            server_metadata_url=discovery,
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "timeout": settings.request_timeout_s,
            },
        )

    @property
    def origin(self) -> str:
        """Where the browser is sent (the pages' CSP must let a form's redirect go there)."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    async def _metadata(self) -> dict[str, Any]:
        try:
            metadata = await self._client.load_server_metadata()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(f"discovery document: {exc.__class__.__name__}") from None
        if metadata.get("issuer", "").rstrip("/") != self.issuer:
            # OpenID Connect Discovery 1.0 §4.3: the document must be the configured issuer's own.
            self._client.server_metadata.clear()
            raise ProviderUnavailable(f"the discovery document names issuer {metadata.get('issuer')!r}")
        return metadata

    # -- the way out ------------------------------------------------------------------------------

    async def begin(self, redirect_uri: str, next_url: str) -> tuple[str, Transaction]:
        """The provider's authorization URL, and the transaction to keep until the callback."""
        await self._metadata()
        try:
            # Authlib draws state, nonce and the code verifier, and sends the S256 challenge.
            started = await self._client.create_authorization_url(redirect_uri)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(exc.__class__.__name__) from None
        transaction = Transaction(started["state"], started["nonce"], started["code_verifier"], next_url)
        return started["url"], transaction

    # -- the way back -----------------------------------------------------------------------------

    async def finish(self, params: dict[str, str], transaction: Transaction | None, redirect_uri: str) -> StaffIdentity:
        """Who the callback signs in, or SignInRefused / ProviderUnavailable."""
        state = params.get("state", "")
        if transaction is None or not state or not hmac.compare_digest(state, transaction.state):
            raise SignInRefused(
                400,
                "This sign-in has expired",
                "We could not match this sign-in to one started in this browser in the last few minutes. "
                "Go back to the sign-in page and try again.",
            )
        if params.get("iss") and params["iss"].rstrip("/") != self.issuer:
            # RFC 9207: the provider names itself in its answer; another one's answer is not ours.
            log.warning("oidc callback names another issuer: %s", params["iss"][:200])
            raise _bad_token()
        if params.get("error"):
            log.info("oidc sign-in refused by the provider: %s", params.get("error"))
            raise SignInRefused(
                400, "You are not signed in", "The sign-in was cancelled or not accepted. You can try again."
            )
        code = params.get("code", "")
        if not code:
            raise SignInRefused(400, "You are not signed in", "The sign-in did not finish. Try again.")
        token = await self._exchange(code, transaction, redirect_uri)
        claims = await self._verified_id_token(token, transaction.nonce)
        access = self.group_map.access_for(groups_of(claims, self.settings.oidc_groups_claim))
        if access is None:
            log.info("oidc sign-in of %s refused: no mapped group", claims["sub"])
            raise SignInRefused(
                403,
                "Your account cannot use the staff console",
                "You signed in, but your council account is not in a group that works on any hub here. "
                "If you should have access, ask your manager or the council's IT team to add you to your "
                "hub's staff group.",
            )
        name = str(claims.get("name") or claims.get("preferred_username") or "Staff member")
        return StaffIdentity(sub=str(claims["sub"]), name=name, access=access)

    async def _exchange(self, code: str, transaction: Transaction, redirect_uri: str) -> dict[str, Any]:
        await self._metadata()
        try:
            token = await self._client.fetch_access_token(
                redirect_uri=redirect_uri, code=code, code_verifier=transaction.verifier
            )
        except OAuthError as exc:  # the provider refused the code (wrong, used, expired, or not ours)
            log.info("oidc code exchange refused: %s", exc.error)
            raise SignInRefused(
                400, "You are not signed in", "The sign-in could not be confirmed with your council. Try again."
            ) from None
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"token endpoint: {exc.__class__.__name__}") from None
        if "id_token" not in token:
            raise SignInRefused(400, "You are not signed in", "Your council's sign-in sent no ID token.")
        return token

    async def _verified_id_token(self, token: dict[str, Any], nonce: str) -> dict[str, Any]:
        try:
            decoded = jwt.decode(token["id_token"], await self._keys(), algorithms=ID_TOKEN_ALGORITHMS)
        except InvalidKeyIdError:  # the provider rotated its keys since we fetched them
            decoded = self._decode_or_refuse(token["id_token"], await self._keys(refresh=True))
        except JoseError as exc:
            log.warning("oidc id token refused: %s", exc.__class__.__name__)
            raise _bad_token() from None
        options = {
            "iss": {"essential": True, "values": [self.issuer]},
            "aud": {"essential": True, "values": [self.settings.oidc_client_id]},
            "sub": {"essential": True},
            "exp": {"essential": True},
        }
        params = {"nonce": nonce, "client_id": self.settings.oidc_client_id, "access_token": token.get("access_token")}
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        try:
            claims.validate(leeway=CLOCK_LEEWAY_S)
        except JoseError as exc:
            log.warning("oidc id token refused: %s", exc)
            raise _bad_token() from None
        return dict(claims)

    def _decode_or_refuse(self, id_token: str, keys: KeySet) -> jwt.Token:
        try:
            return jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
        except JoseError as exc:
            log.warning("oidc id token refused: %s", exc.__class__.__name__)
            raise _bad_token() from None

    async def _keys(self, *, refresh: bool = False) -> KeySet:
        await self._metadata()
        try:
            return KeySet.import_key_set(await self._client.fetch_jwk_set(force=refresh))
        except (httpx.HTTPError, ValueError, RuntimeError, JoseError) as exc:  # RuntimeError: no jwks_uri
            raise ProviderUnavailable(f"JWKS: {exc.__class__.__name__}") from None

    # -- signing out ------------------------------------------------------------------------------

    async def logout_url(self, post_logout_redirect_uri: str) -> str | None:
        """The provider's end-session URL (RP-initiated logout), or None when it has none or is down."""
        if not self.settings.oidc_sign_out_at_provider:
            return None
        try:
            metadata = await self._metadata()
        except ProviderUnavailable:
            return None
        if not metadata.get("end_session_endpoint"):
            return None
        # Without an id_token_hint (the session cookie does not keep the ID token) the provider
        # may ask the person to confirm; client_id lets it accept our post-logout address.
        logout = await self._client.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri, client_id=self.settings.oidc_client_id
        )
        return logout["url"]


def callback_url(settings: WebSettings, request: Request) -> str:
    """The redirect URI: as registered at the provider, or the address the browser reached us at."""
    return settings.oidc_redirect_url or str(request.url.replace(path=CALLBACK_PATH, query="", fragment=""))


def home_url(settings: WebSettings, request: Request) -> str:
    """Where the provider sends the browser after signing out: our home page, at the callback's origin."""
    parts = urlsplit(callback_url(settings, request))
    return f"{parts.scheme}://{parts.netloc}/"


def _bad_token() -> SignInRefused:
    return SignInRefused(400, "You are not signed in", "Your council's sign-in could not be verified. Try again.")


def groups_of(claims: dict[str, Any], claim: str) -> list[str]:
    """The person's groups from the ID token: a list of strings, or one string; anything else is none."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    return [g for g in value if isinstance(g, str)] if isinstance(value, list) else []


def subject_of(identity: StaffIdentity) -> str:
    """The session's ``sub``: the provider's subject, marked so it never meets a local account's."""
    return f"oidc-{identity.sub}"

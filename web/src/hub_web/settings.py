"""Settings of the web app, from ``HUB_WEB_*`` environment variables (plus the platform's shared ones)."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub_common.settings import DEV_ISSUER
from hub_web.branding import DEFAULT_HUB_COLOUR, contrast_ratio
from hub_web.maps import tile_origin
from hub_web.oidc_groups import parse_group_map

DEV_WEB_CLIENT_SECRET = "dev-web-secret"  # noqa: S105  (the issuer's development client, refused in production)
MIN_CONTRAST = 4.5  # WCAG 2.2 AA for normal text: the hub colour carries white text
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
# Where `scripts/infra.sh install` puts Leaflet and Leaflet.markercluster (npm, pinned by
# web/package-lock.json) in a checkout; the image sets HUB_WEB_LEAFLET_DIR and
# HUB_WEB_MARKERCLUSTER_DIR to the copies it carries.
CHECKOUT_NODE_MODULES = Path(__file__).resolve().parents[3] / ".hub" / "web-tools" / "node_modules"
CHECKOUT_LEAFLET_DIR = CHECKOUT_NODE_MODULES / "leaflet" / "dist"
CHECKOUT_MARKERCLUSTER_DIR = CHECKOUT_NODE_MODULES / "leaflet.markercluster" / "dist"


def _https_or_loopback(url: str) -> bool:
    """https, or a provider on this machine (compose's trial Keycloak at http://localhost:8180): the
    browser reaches it without crossing a network, and browsers treat loopback as a secure context."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1"))


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_WEB_", extra="ignore", populate_by_name=True)

    service_name: str = Field(default="Community Hub", min_length=1, max_length=80)
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    volunteers_url: str = "http://127.0.0.1:8001"
    issues_url: str = "http://127.0.0.1:8002"
    assets_url: str = "http://127.0.0.1:8003"
    notifications_url: str = "http://127.0.0.1:8004"
    participation_url: str = "http://127.0.0.1:8005"
    request_timeout_s: float = Field(default=10.0, gt=0)

    # The platform's token issuer: the web app is one of its clients, and asks it for short-lived
    # tokens for the people it signed in; it verifies the tokens in our emails' links against its JWKS.
    auth_issuer: str = Field(default=DEV_ISSUER, validation_alias=AliasChoices("auth_issuer", "HUB_AUTH_ISSUER"))
    auth_audience: str = Field(
        default="community-hub", validation_alias=AliasChoices("auth_audience", "HUB_AUTH_AUDIENCE")
    )
    auth_jwks_url: str = Field(default="", validation_alias=AliasChoices("auth_jwks_url", "HUB_AUTH_JWKS_URL"))
    auth_jwks: str = Field(default="", validation_alias=AliasChoices("auth_jwks", "HUB_AUTH_JWKS"))
    issuer_url: str = Field(default="", validation_alias=AliasChoices("issuer_url", "HUB_ISSUER_URL"))
    issuer_client_id: str = "hub-web"
    issuer_client_secret: SecretStr = SecretStr(DEV_WEB_CLIENT_SECRET)
    environment: Literal["development", "test", "production"] = Field(
        default="development", validation_alias=AliasChoices("environment", "HUB_ENVIRONMENT")
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("log_level", "HUB_LOG_LEVEL"))

    # Signs the session cookie; derived from the issuer client secret when not set.
    session_secret: SecretStr = SecretStr("")
    cookie_secure: bool = False
    staff_session_hours: float = Field(default=8, gt=0, le=24)
    resident_session_days: float = Field(default=30, gt=0, le=90)
    service_token_minutes: float = Field(default=15, ge=2, le=60)

    # JSON list of {"username", "name", "role": "staff"|"operator", "hubs": [...], "password_hash"}
    # (hashes from `python -m hub_web.accounts hash`).
    staff_accounts: str = "[]"
    demo_accounts: bool = False  # documented demo staff accounts for `make run`; refused in production
    dev_sign_in: bool = False  # sign in as a demo volunteer without email; refused in production
    # Staff sign-in through the council's OpenID Connect provider (authorization code + PKCE), on
    # when an issuer is set. The provider's groups become the services' role and hubs through
    # oidc_group_map (JSON, see hub_web.oidc_groups). The client secret is a SecretStr, so it never
    # appears in a repr, a log line or an error message.
    oidc_issuer_url: str = ""
    # Where the discovery document is fetched: <issuer>/.well-known/openid-configuration unless set
    # (compose: the provider's address inside the network, while the issuer is the browser's one).
    oidc_discovery_url: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_provider_name: str = Field(default="your council account", min_length=1, max_length=80)
    oidc_scopes: str = "openid profile"
    oidc_groups_claim: str = Field(default="groups", min_length=1)
    oidc_group_map: str = "{}"
    # The callback's absolute URL as registered at the provider (…/auth/oidc/callback); by default
    # the address the browser reached the web app at.
    oidc_redirect_url: str = ""
    oidc_sign_out_at_provider: bool = True  # RP-initiated logout: signing out here ends the provider's session too
    # JSON {"hub-id": "#rrggbb"}: the hub's colour behind white text (must reach 4.5:1 contrast).
    hub_colours: dict[str, str] = Field(default_factory=dict)

    # The web map: where the street tiles come from (a {z}/{x}/{y} URL template; the pages'
    # Content-Security-Policy allows images from its host) and the credit shown on the map.
    # Platform-wide names, as a deployment's map provider is not the web app's own choice.
    map_tile_url: str = Field(
        default=DEFAULT_TILE_URL, validation_alias=AliasChoices("map_tile_url", "HUB_MAP_TILE_URL")
    )
    map_tile_attribution: str = Field(
        default=DEFAULT_TILE_ATTRIBUTION,
        min_length=1,
        max_length=300,
        validation_alias=AliasChoices("map_tile_attribution", "HUB_MAP_TILE_ATTRIBUTION"),
    )
    leaflet_dir: Path = CHECKOUT_LEAFLET_DIR  # Leaflet's dist folder, served at /static/leaflet
    # Leaflet.markercluster's dist folder (pins close together drawn as one), at /static/markercluster
    markercluster_dir: Path = CHECKOUT_MARKERCLUSTER_DIR

    @field_validator("hub_colours", mode="before")
    @classmethod
    def _parse_colours(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("hub_colours")
    @classmethod
    def _readable_colours(cls, value: dict[str, str]) -> dict[str, str]:
        for hub_id, colour in value.items():
            ratio = contrast_ratio(colour, "#ffffff")
            if ratio < MIN_CONTRAST:
                raise ValueError(f"{hub_id}: white text on {colour} has contrast {ratio:.2f}:1, below {MIN_CONTRAST}:1")
        return value

    @field_validator("map_tile_url")
    @classmethod
    def _usable_tile_url(cls, value: str) -> str:
        tile_origin(value)  # raises with what is wrong
        return value

    @field_validator("oidc_group_map")
    @classmethod
    def _usable_group_map(cls, value: str) -> str:
        parse_group_map(value)  # raises with what is wrong
        return value

    @model_validator(mode="after")
    def _complete_oidc(self) -> WebSettings:
        if self.oidc_issuer_url:
            if not self.oidc_client_id or not self.oidc_client_secret.get_secret_value():
                raise ValueError(
                    "HUB_WEB_OIDC_CLIENT_ID and HUB_WEB_OIDC_CLIENT_SECRET are needed with HUB_WEB_OIDC_ISSUER_URL"
                )
            if not parse_group_map(self.oidc_group_map):
                raise ValueError("HUB_WEB_OIDC_GROUP_MAP must map at least one group, or nobody could sign in")
            if "openid" not in self.oidc_scopes.split():
                raise ValueError("HUB_WEB_OIDC_SCOPES must include openid")
        return self

    @model_validator(mode="after")
    def _production_rules(self) -> WebSettings:
        if self.environment == "production":
            if self.issuer_client_secret.get_secret_value() == DEV_WEB_CLIENT_SECRET:
                raise ValueError("HUB_WEB_ISSUER_CLIENT_SECRET must be set to a private secret in production")
            if self.auth_issuer == DEV_ISSUER:
                raise ValueError("HUB_AUTH_ISSUER must name the platform's token issuer in production")
            if self.demo_accounts or self.dev_sign_in:
                raise ValueError("demo accounts and dev sign-in are for development only")
            if self.oidc_issuer_url and not _https_or_loopback(self.oidc_issuer_url):
                raise ValueError("HUB_WEB_OIDC_ISSUER_URL must be an https:// address in production")
        return self

    @property
    def cookie_key(self) -> str:
        """The session-signing key: its own secret, or one derived from the client secret for this purpose only."""
        own = self.session_secret.get_secret_value()
        if own:
            return own
        secret = self.issuer_client_secret.get_secret_value().encode()
        return hmac.new(secret, b"hub-web-session-cookie", hashlib.sha256).hexdigest()

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer_url)

    @property
    def map_tile_origin(self) -> str:
        return tile_origin(self.map_tile_url)

    def colour_for(self, hub_id: str | None) -> str:
        return self.hub_colours.get(hub_id or "", DEFAULT_HUB_COLOUR)

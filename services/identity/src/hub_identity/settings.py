from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

from hub_common.settings import HubSettings

# A Fernet key for development only: production refuses to start with it (see below).
DEV_KEY_ENCRYPTION_KEY = "ZGV2LW9ubHkta2V5LWVuY3J5cHRpb24ta2V5LTEyMzQ="
# The platform's own clients, in development: the web app, notifications (its emailed sign-in links) and
# the hub CLI. Production names them, with private secrets, in HUB_ISSUER_CLIENTS.
DEV_CLIENTS = (
    '[{"id": "hub-web", "secret": "dev-web-secret",'
    ' "issues_for": ["resident", "staff", "operator", "privacy", "councillor"]},'
    ' {"id": "hub-notifications", "secret": "dev-notifications-secret", "issues_for": ["resident"],'
    ' "max_ttl_s": 2764800},'
    ' {"id": "hub-cli", "secret": "dev-cli-secret", "role": "operator",'
    ' "issues_for": ["resident", "staff", "partner", "operator", "privacy", "councillor"], "max_ttl_s": 2592000}]'
)


class IdentitySettings(HubSettings):
    service_name: ClassVar[str] = "identity"
    default_http_port: ClassVar[int] = 8006

    # Private signing keys are stored encrypted with this Fernet key (32 url-safe base64 bytes).
    signing_key_encryption_key: SecretStr = SecretStr(DEV_KEY_ENCRYPTION_KEY)
    # A new key is published this long before it signs, so every verifier's cached JWKS (refreshed
    # every 5 minutes, and at once on an unknown kid) holds it before the first token it signs.
    key_publish_ahead_s: float = Field(default=600.0, ge=0)
    # The platform's own clients (JSON): id, secret, the role it gets for itself ("role"), the roles
    # it may ask tokens for on behalf of someone it signed in ("issues_for"), the longest "max_ttl_s".
    issuer_clients: SecretStr = SecretStr(DEV_CLIENTS)
    # How long a token lives unless its client asks for less: partners' client-credentials tokens,
    # and the default for the rest.
    partner_token_ttl_s: int = Field(default=3600, ge=60, le=24 * 3600)
    default_token_ttl_s: int = Field(default=900, ge=60)

    @model_validator(mode="after")
    def _no_development_secrets_in_production(self) -> "IdentitySettings":
        if self.environment == "production":
            if self.signing_key_encryption_key.get_secret_value() == DEV_KEY_ENCRYPTION_KEY:
                raise ValueError("HUB_SIGNING_KEY_ENCRYPTION_KEY must be set to a private Fernet key in production")
            if self.issuer_clients.get_secret_value() == DEV_CLIENTS:
                raise ValueError(
                    "HUB_ISSUER_CLIENTS must name the platform's clients with private secrets in production"
                )
        return self

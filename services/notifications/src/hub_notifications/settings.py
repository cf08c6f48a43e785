from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

from hub_common.settings import HubSettings

DEV_PRIVACY_HASH_KEY = "dev-only-privacy-hash-key-0123456789"
# A Fernet key for development only (production refuses it).
DEV_WEBHOOK_SECRET_KEY = "ZGV2LW9ubHktd2ViaG9vay1zZWNyZXQta2V5LTEyMzQ="  # noqa: S105


class NotificationsSettings(HubSettings):
    service_name: ClassVar[str] = "notifications"
    default_http_port: ClassVar[int] = 8004

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_from: str = "Community Hub <no-reply@hub.localhost>"
    # SMS provider's HTTP API (one JSON POST per message); SMS is skipped when unset.
    sms_endpoint: str = ""
    sms_api_key: SecretStr = SecretStr("")
    # Non-critical email/SMS per person and channel per hour; more wait (0 turns the limit off).
    max_messages_per_hour: int = 10
    # Most messages per second one worker sends by each channel (0: no limit).
    email_rate_per_s: float = 50.0
    # Messages one worker claims and sends at once; the queue is read again between batches, so an
    # urgent message waits behind at most one batch.
    delivery_batch_size: int = Field(default=50, ge=1, le=500)
    # SMTP connections one worker keeps open and sends over at once (each reused for many messages).
    email_connections: int = Field(default=4, ge=1, le=64)
    sms_rate_per_s: float = 5.0
    # Sign-in links in messages carry a token notifications asks the issuer for (as this client),
    # when the message is sent. HUB_ISSUER_URL says where the issuer answers.
    issuer_client_id: str = "hub-notifications"
    issuer_client_secret: SecretStr = SecretStr("dev-notifications-secret")
    # Seals partners' webhook signing secrets in the database (a Fernet key; production refuses this one).
    webhook_secret_key: SecretStr = SecretStr(DEV_WEBHOOK_SECRET_KEY)
    # Keys the hashes by which privacy requests are counted for their rate limits (never the address).
    privacy_hash_key: SecretStr = SecretStr(DEV_PRIVACY_HASH_KEY)
    # Where people open the web app; links in messages start here.
    public_base_url: str = "http://127.0.0.1:8080"
    # A message or webhook claimed by a worker that died before recording the outcome is tried
    # again after this long (a send that reached the server just before the crash goes out twice).
    # A live worker renews its lease every third of it however long a send takes, so it can be short:
    # a crash delays the messages in flight by seconds, not minutes.
    sending_lease_s: float = Field(default=10.0, gt=1)
    # A consumed batch is one transaction, and each event here may plan several messages and webhook
    # deliveries: smaller batches keep a contact or a sign-in link from waiting behind a long one (with
    # a backlog of 500 issue events on SecantusDB, that was minutes) and let a stop finish promptly.
    consumer_batch_size: int = Field(default=50, ge=1, le=10_000)
    # Retention: what an email or text said (and the event's values it was written from) is removed
    # this long after the message was created, once it is final; its status and history stay. GOV.UK
    # Notify's default, 7 days: the person has the email itself.
    message_content_retention_days: int = Field(default=7, ge=1)
    # An in-app message is the person's only copy (the inbox is where it was delivered), so it keeps
    # its text longer.
    inbox_retention_days: int = Field(default=90, ge=1)
    # A subject access request's export (the person's data from every service) is deleted this long
    # after the request completed: long enough to send it, short enough not to become another copy.
    privacy_export_retention_days: int = Field(default=7, ge=1, le=90)
    # Allow webhook URLs on loopback/private addresses (local development and tests only).
    webhook_allow_private: bool = False
    # With HUB_DEMO_DATA: where the demo partner's webhook goes (`make run` starts a receiver there).
    demo_webhook_url: str = "http://127.0.0.1:8090/hooks/riverside-housing"

    @model_validator(mode="after")
    def _no_development_secrets_in_production(self) -> "NotificationsSettings":
        if self.environment == "production" and self.privacy_hash_key.get_secret_value() == DEV_PRIVACY_HASH_KEY:
            raise ValueError("HUB_PRIVACY_HASH_KEY must be set to a private value in production")
        if self.environment == "production" and self.webhook_secret_key.get_secret_value() == DEV_WEBHOOK_SECRET_KEY:
            raise ValueError("HUB_WEBHOOK_SECRET_KEY must be set to a private Fernet key in production")
        return self

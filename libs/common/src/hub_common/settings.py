"""Service settings, read from ``HUB_*`` environment variables (the contract's runtime table)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub_common.contracts.topics import topic_configs
from hub_common.kafka import KafkaConnection

# The identity service (the platform's one token issuer) on its local port.
DEV_ISSUER = "http://127.0.0.1:8006"


class HubSettings(BaseSettings):
    """Settings every service shares. Each service subclasses it to set its name and port."""

    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "hub"
    default_http_port: ClassVar[int] = 8000

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Production brokers authenticate each service (SASL/SCRAM); the local broker needs none.
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["", "SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] = ""
    kafka_username: str = ""
    kafka_password: SecretStr = SecretStr("")
    mongo_uri: str = "mongodb://127.0.0.1:27017"
    mongo_db: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = 0
    # A worker (--role worker) serves /health/* and /metrics on this port when set (0: no HTTP).
    worker_http_port: int = Field(default=0, ge=0, le=65535)
    # Path prefix the gateway serves this API under (e.g. /issues), so its docs link correctly.
    root_path: str = ""
    log_format: Literal["json", "console"] = "json"
    log_level: str = "INFO"
    # Tokens are verified, never minted, here: the issuer's URL (the ``iss`` every token must carry),
    # the audience they are for, and where its public keys are (default: the issuer's JWKS). A JWKS
    # given inline (HUB_AUTH_JWKS, JSON) is used as it is and never fetched.
    auth_issuer: str = DEV_ISSUER
    auth_audience: str = "community-hub"
    auth_jwks_url: str = ""
    auth_jwks: str = ""
    # Where the issuer answers, for a service that asks it for tokens (default: HUB_AUTH_ISSUER).
    issuer_url: str = ""
    environment: Literal["development", "test", "production"] = "development"
    demo_data: bool = False

    # Topics: partitions bound how many workers of one service share the work.
    kafka_topic_partitions: int = Field(default=3, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)

    # hub.contacts is compacted by person (see hub_common.contracts.topics.topic_configs): a consumer
    # up to the minimum lag behind reads every contact event; a superseded one (an erased person's
    # details) is gone from the topic within about the maximum lag while events keep arriving.
    contacts_min_compaction_lag_s: float = Field(default=600, ge=0)
    contacts_max_compaction_lag_s: float = Field(default=900, gt=0)

    # Outbox relay
    outbox_batch_size: int = Field(default=500, ge=1, le=10_000)
    outbox_poll_interval_s: float = Field(default=1.0, gt=0)
    outbox_lease_s: float = Field(default=15.0, gt=1)

    # Consumer runner (the group defaults to hub-<service>; override only to run a parallel copy)
    consumer_group_override: str = Field(default="", alias="HUB_CONSUMER_GROUP")
    consumer_batch_size: int = Field(default=500, ge=1, le=10_000)
    consumer_max_attempts: int = Field(default=3, ge=1)
    consumer_backoff_initial_s: float = Field(default=0.2, gt=0)
    consumer_backoff_max_s: float = Field(default=30.0, gt=0)

    # The most one use case's transaction may take, driver retries included: while the database is
    # away, a request caught mid-write answers 503 after this instead of waiting for it to return.
    transaction_timeout_s: float = Field(default=10.0, gt=0)

    # Each process renews a lease every beat; one silent for the stale time is taken for dead and its
    # open transactions are aborted, freeing what it held for the processes taking over its work.
    process_lease_beat_s: float = Field(default=2.0, gt=0)
    process_stale_after_s: float = Field(default=8.0, gt=0)

    # How often the worker applies the service's retention schedule (what it removes, and after how
    # long, is each service's own setting).
    retention_interval_s: float = Field(default=3600.0, gt=0)

    # Idempotency keys are remembered this long.
    idempotency_ttl_s: int = Field(default=24 * 3600, ge=60)

    @model_validator(mode="after")
    def _fill_service_defaults(self) -> HubSettings:
        if not self.mongo_db:
            self.mongo_db = f"hub_{self.service_name}"
        if not self.http_port:
            self.http_port = self.default_http_port
        if self.environment == "production" and self.auth_issuer == DEV_ISSUER:
            raise ValueError("HUB_AUTH_ISSUER must name the platform's token issuer in production")
        return self

    @property
    def kafka(self) -> KafkaConnection:
        return KafkaConnection(
            bootstrap_servers=self.kafka_bootstrap_servers,
            security_protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism or None,
            username=self.kafka_username or None,
            password=self.kafka_password.get_secret_value() or None,
        )

    @property
    def topic_configs(self) -> dict:
        return topic_configs(
            contacts_min_compaction_lag_s=self.contacts_min_compaction_lag_s,
            contacts_max_compaction_lag_s=self.contacts_max_compaction_lag_s,
        )

    @property
    def source(self) -> str:
        """CloudEvents ``source`` of everything this service publishes."""
        return f"/hub/{self.service_name}"

    @property
    def consumer_group(self) -> str:
        return self.consumer_group_override or f"hub-{self.service_name}"

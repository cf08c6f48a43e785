from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

from hub_common.settings import HubSettings

DEV_PB_BALLOT_KEY = "dev-only-pb-ballot-key-0123456789"
DEV_RESIDENT_SIGN_IN_KEY = "dev-only-resident-sign-in-key-0123456789"


class ParticipationSettings(HubSettings):
    service_name: ClassVar[str] = "participation"
    default_http_port: ClassVar[int] = 8005

    # Supports that take an idea to a response from its hub, unless the hub's staff set their own.
    idea_support_threshold: int = Field(default=10, ge=1, le=100_000)
    # Keys the hashes budgeting ballots are stored under (one per voter and round, naming no one to
    # whoever reads the database without it). Changing it while a round is voting lets its voters
    # vote again: set it once (production refuses the development key).
    pb_ballot_key: SecretStr = SecretStr(DEV_PB_BALLOT_KEY)
    # Keys the hash of a resident's email address that is their sub when they sign in by an emailed
    # link (the same person on every device; the sub names no one without the key). Changing it
    # makes everyone a new resident, free to vote again in an open round: set it once.
    resident_sign_in_key: SecretStr = SecretStr(DEV_RESIDENT_SIGN_IN_KEY)

    @model_validator(mode="after")
    def _no_development_key_in_production(self) -> "ParticipationSettings":
        if self.environment == "production" and self.pb_ballot_key.get_secret_value() == DEV_PB_BALLOT_KEY:
            raise ValueError("HUB_PB_BALLOT_KEY must be set to a private value in production")
        if (
            self.environment == "production"
            and self.resident_sign_in_key.get_secret_value() == DEV_RESIDENT_SIGN_IN_KEY
        ):
            raise ValueError("HUB_RESIDENT_SIGN_IN_KEY must be set to a private value in production")
        return self

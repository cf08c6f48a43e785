from typing import ClassVar

from pydantic import Field

from hub_common.settings import HubSettings


class ParticipationSettings(HubSettings):
    service_name: ClassVar[str] = "participation"
    default_http_port: ClassVar[int] = 8005

    # Supports that take an idea to a response from its hub, unless the hub's staff set their own.
    idea_support_threshold: int = Field(default=10, ge=1, le=100_000)

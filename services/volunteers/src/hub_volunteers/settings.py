from typing import ClassVar

from hub_common.settings import HubSettings


class VolunteersSettings(HubSettings):
    service_name: ClassVar[str] = "volunteers"
    default_http_port: ClassVar[int] = 8001

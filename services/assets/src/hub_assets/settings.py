from typing import ClassVar

from hub_common.settings import HubSettings


class AssetsSettings(HubSettings):
    service_name: ClassVar[str] = "assets"
    default_http_port: ClassVar[int] = 8003

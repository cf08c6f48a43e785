from typing import ClassVar

from hub_common.settings import HubSettings


class IssuesSettings(HubSettings):
    service_name: ClassVar[str] = "issues"
    default_http_port: ClassVar[int] = 8002

from typing import ClassVar

from pydantic import Field

from hub_common.settings import HubSettings


class AssetsSettings(HubSettings):
    service_name: ClassVar[str] = "assets"
    default_http_port: ClassVar[int] = 8003

    # How often the worker looks for overdue loans, inspections due, finished bookings and ACV dates.
    periodic_interval_s: float = Field(default=300.0, gt=0)

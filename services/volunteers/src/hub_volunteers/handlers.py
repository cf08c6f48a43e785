"""What the volunteers service does with each event type it consumes (none yet)."""

from hub_common.consumer import Handler
from hub_common.service import ServiceContext


def handlers(ctx: ServiceContext) -> dict[str, Handler]:
    return {}

"""Wiring of the assets service and the role switch: ``python -m hub_assets --role api|worker|all``."""

from hub_assets import handlers
from hub_assets.settings import AssetsSettings
from hub_common.contracts import events_topic, inbound_topic
from hub_common.runner import main
from hub_common.service import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="assets",
    title="Community Hub — assets",
    description="The locality asset map, room bookings, equipment loans, Assets of Community Value, HSDS export.",
    settings_class=AssetsSettings,
    handlers=handlers.handlers,
    consumes=(inbound_topic("assets"), events_topic("volunteers")),
    publishes=("hub.assets.contact.upserted.v1", "hub.assets.contact.erased.v1"),
)

if __name__ == "__main__":
    main(DEFINITION)

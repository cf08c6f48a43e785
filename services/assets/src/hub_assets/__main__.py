"""What the assets service is, and the role switch: ``python -m hub_assets --role api|worker|all``."""

from hub_assets.adapters import INDEXES
from hub_assets.api import acv, assets, bookings, hsds, insight, loans, maintenance, periodic
from hub_assets.bootstrap import bootstrap
from hub_assets.demo import seed_demo_data
from hub_assets.domain.processing import DECLARATION
from hub_assets.settings import AssetsSettings
from hub_common.contracts import PRIVACY_TOPIC, all_contracts, events_topic, inbound_topic
from hub_common.partner_grants import IDENTITY_EVENTS
from hub_common.runner import main
from hub_common.service import ServiceDefinition

# Every type this service publishes: its events and contacts, not the inbound types partners publish to it.
PUBLISHES = tuple(c.type for c in all_contracts() if c.producer == "assets" and c.topic != inbound_topic("assets"))

DEFINITION = ServiceDefinition(
    bootstrap=bootstrap,
    name="assets",
    title="Community Hub — assets",
    description="The locality asset map, room bookings, equipment loans, maintenance, HSDS export.",
    settings_class=AssetsSettings,
    routers=(
        assets.router,
        maintenance.router,
        bookings.router,
        loans.router,
        hsds.router,
        acv.router,
        periodic.router,
        insight.router,
    ),
    consumes=(
        inbound_topic("assets"),
        events_topic("issues"),
        events_topic("volunteers"),
        PRIVACY_TOPIC,
        IDENTITY_EVENTS,
    ),
    publishes=PUBLISHES,
    indexes=INDEXES,
    seed_demo_data=seed_demo_data,
    processing=DECLARATION,
)

if __name__ == "__main__":
    main(DEFINITION)

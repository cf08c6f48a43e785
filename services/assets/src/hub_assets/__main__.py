"""Wiring of the assets service and the role switch: ``python -m hub_assets --role api|worker|all``."""

from hub_assets import handlers
from hub_assets.adapters.repository import INDEXES
from hub_assets.api.routes import build_routers
from hub_assets.demo import seed_demo_data
from hub_assets.service import AssetsService
from hub_assets.settings import AssetsSettings
from hub_common.contracts import all_contracts, events_topic, inbound_topic
from hub_common.runner import main
from hub_common.scheduler import PeriodicTask
from hub_common.service import Components, ServiceContext, ServiceDefinition

# Every type this service publishes: its events and contacts, not the inbound types partners publish to it.
PUBLISHES = tuple(c.type for c in all_contracts() if c.producer == "assets" and c.topic != inbound_topic("assets"))


def periodic(ctx: ServiceContext) -> list[PeriodicTask]:
    """Overdue loans, inspections due, past bookings completed, ACV dates: every HUB_PERIODIC_INTERVAL_S."""
    return [
        PeriodicTask(
            "assets-periodic", ctx.settings.periodic_interval_s, AssetsService(ctx.db, ctx.uow).run_periodic_tasks
        )
    ]


def bootstrap(ctx: ServiceContext) -> Components:  # TRANSITION
    return Components(handlers=handlers.handlers(ctx), periodic=periodic(ctx))


DEFINITION = ServiceDefinition(
    bootstrap=bootstrap,
    name="assets",
    title="Community Hub — assets",
    description="The locality asset map, room bookings, equipment loans, maintenance, HSDS export.",
    settings_class=AssetsSettings,
    routers=build_routers,
    consumes=(inbound_topic("assets"), events_topic("issues"), events_topic("volunteers")),
    publishes=PUBLISHES,
    indexes=INDEXES,
    seed_demo_data=seed_demo_data,
)

if __name__ == "__main__":
    main(DEFINITION)

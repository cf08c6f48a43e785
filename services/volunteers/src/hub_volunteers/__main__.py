"""Wiring of the volunteers service and the role switch: ``python -m hub_volunteers --role api|worker|all``."""

from hub_common.contracts import all_contracts, events_topic, inbound_topic
from hub_common.runner import main
from hub_common.scheduler import PeriodicTask
from hub_common.service import Components, ServiceContext, ServiceDefinition
from hub_volunteers import handlers
from hub_volunteers.adapters.repository import INDEXES
from hub_volunteers.api import routers
from hub_volunteers.demo import seed_demo_data
from hub_volunteers.service import VolunteersService
from hub_volunteers.settings import VolunteersSettings

# Every type this service publishes: its public events and its contact details on hub.contacts.
PUBLISHES = tuple(
    c.type for c in all_contracts() if c.producer == "volunteers" and c.topic != inbound_topic("volunteers")
)


def periodic(ctx: ServiceContext) -> list[PeriodicTask]:
    service = VolunteersService(ctx)
    interval = getattr(ctx.settings, "accreditation_scan_interval_s", 3600.0)
    return [PeriodicTask("expiry-warnings", interval, service.raise_expiry_warnings)]


def bootstrap(ctx: ServiceContext) -> Components:  # TRANSITION
    return Components(handlers=handlers.handlers(ctx), periodic=periodic(ctx))


DEFINITION = ServiceDefinition(
    bootstrap=bootstrap,
    name="volunteers",
    title="Community Hub — volunteers",
    description="Volunteer registration and consent, skills, roles and shifts, hours and recognition.",
    settings_class=VolunteersSettings,
    routers=routers,
    consumes=(inbound_topic("volunteers"), events_topic("assets"), events_topic("issues")),
    publishes=PUBLISHES,
    indexes=INDEXES,
    seed_demo_data=seed_demo_data,
)

if __name__ == "__main__":
    main(DEFINITION)

"""What the volunteers service is, and the role switch: ``python -m hub_volunteers --role api|worker|all``."""

from hub_common.contracts import PRIVACY_TOPIC, all_contracts, events_topic, inbound_topic
from hub_common.partner_grants import IDENTITY_EVENTS
from hub_common.runner import main
from hub_common.service import ServiceDefinition
from hub_volunteers.adapters import INDEXES
from hub_volunteers.api import routers
from hub_volunteers.bootstrap import bootstrap
from hub_volunteers.demo import seed_demo_data
from hub_volunteers.domain.processing import DECLARATION
from hub_volunteers.settings import VolunteersSettings

# Every type this service publishes: its public events and its contact details on hub.contacts.
PUBLISHES = tuple(
    c.type for c in all_contracts() if c.producer == "volunteers" and c.topic != inbound_topic("volunteers")
)

DEFINITION = ServiceDefinition(
    bootstrap=bootstrap,
    name="volunteers",
    title="Community Hub — volunteers",
    description="Volunteer registration and consent, skills, roles and shifts, hours and recognition.",
    settings_class=VolunteersSettings,
    routers=routers,
    consumes=(
        inbound_topic("volunteers"),
        events_topic("assets"),
        events_topic("issues"),
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

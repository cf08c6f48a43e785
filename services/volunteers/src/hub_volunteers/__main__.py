"""Wiring of the volunteers service and the role switch: ``python -m hub_volunteers --role api|worker|all``."""

from hub_common.contracts import events_topic, inbound_topic
from hub_common.runner import main
from hub_common.service import ServiceDefinition
from hub_volunteers import handlers
from hub_volunteers.settings import VolunteersSettings

DEFINITION = ServiceDefinition(
    name="volunteers",
    title="Community Hub — volunteers",
    description="Volunteer registration and consent, skills, roles and shifts, hours and recognition.",
    settings_class=VolunteersSettings,
    handlers=handlers.handlers,
    consumes=(inbound_topic("volunteers"), events_topic("assets")),
    publishes=("hub.volunteers.contact.upserted.v1", "hub.volunteers.contact.erased.v1"),
)

if __name__ == "__main__":
    main(DEFINITION)

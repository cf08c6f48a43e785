"""Wiring of the issues service and the role switch: ``python -m hub_issues --role api|worker|all``."""

from hub_common.contracts import events_topic, inbound_topic
from hub_common.runner import main
from hub_common.service import ServiceDefinition
from hub_issues import handlers
from hub_issues.settings import IssuesSettings

DEFINITION = ServiceDefinition(
    name="issues",
    title="Community Hub — issues",
    description="Residents report local issues (Open311 GeoReport v2); hubs triage, act and say what they did.",
    settings_class=IssuesSettings,
    handlers=handlers.handlers,
    consumes=(inbound_topic("issues"), events_topic("assets")),
    publishes=("hub.issues.contact.upserted.v1", "hub.issues.contact.erased.v1"),
)

if __name__ == "__main__":
    main(DEFINITION)

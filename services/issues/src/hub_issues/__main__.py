"""What the issues service is, and the role switch: ``python -m hub_issues --role api|worker|all``."""

from hub_common.contracts import PRIVACY_TOPIC, events_topic, inbound_topic
from hub_common.partner_grants import IDENTITY_EVENTS
from hub_common.runner import main
from hub_common.service import ServiceDefinition
from hub_issues.adapters import INDEXES
from hub_issues.api import catalogue, feeds, follow_up, hubs, issues, photos, places, workflow
from hub_issues.api.open311 import discovery, requests, services
from hub_issues.bootstrap import bootstrap
from hub_issues.demo import seed_demo_data
from hub_issues.domain.processing import DECLARATION
from hub_issues.settings import IssuesSettings

PUBLISHES = (
    "hub.issues.issue.reported.v1",
    "hub.issues.issue.acknowledged.v1",
    "hub.issues.issue.assigned.v1",
    "hub.issues.issue.work_started.v1",
    "hub.issues.issue.referred.v1",
    "hub.issues.issue.fixed.v1",
    "hub.issues.issue.closed.v1",
    "hub.issues.issue.reopened.v1",
    "hub.issues.issue.duplicate_merged.v1",
    "hub.issues.issue.supported.v1",
    "hub.issues.issue.update_published.v1",
    "hub.issues.issue.overdue.v1",
    "hub.issues.issue.feedback_requested.v1",
    "hub.issues.issue.feedback_received.v1",
    "hub.issues.contact.upserted.v1",
    "hub.issues.contact.erased.v1",
    "hub.issues.privacy_request.answered.v1",
)

DEFINITION = ServiceDefinition(
    bootstrap=bootstrap,
    name="issues",
    title="Community Hub — issues",
    description="Residents report local issues (Open311 GeoReport v2); hubs triage, act and say what they did.",
    settings_class=IssuesSettings,
    routers=(
        hubs.router,
        catalogue.router,
        issues.router,
        photos.router,
        workflow.router,
        follow_up.router,
        feeds.router,
        places.router,
        discovery.router,
        services.router,
        requests.router,
    ),
    consumes=(
        inbound_topic("issues"),
        events_topic("assets"),
        events_topic("participation"),
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

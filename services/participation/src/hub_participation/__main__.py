"""What the participation service is, and the role switch: ``python -m hub_participation --role api|worker|all``."""

from hub_common.contracts import PRIVACY_TOPIC, all_contracts, events_topic, inbound_topic
from hub_common.partner_grants import IDENTITY_EVENTS
from hub_common.runner import main
from hub_common.service import ServiceDefinition
from hub_participation.adapters import INDEXES
from hub_participation.api import (
    councillors,
    hubs,
    ideas,
    meetings,
    minutes,
    moderation,
    panel,
    pb_ballots,
    pb_proposals,
    pb_rounds,
    registrations,
    responses,
    sign_in_links,
    surveys,
)
from hub_participation.bootstrap import bootstrap
from hub_participation.demo import seed_demo_data
from hub_participation.domain.processing import DECLARATION
from hub_participation.settings import ParticipationSettings

# Every type this service publishes: its events, contacts, privacy answers and its room booking
# requests (on hub.assets.inbound).
PUBLISHES = tuple(
    c.type for c in all_contracts() if c.producer == "participation" and c.topic != inbound_topic("participation")
)

DEFINITION = ServiceDefinition(
    bootstrap=bootstrap,
    name="participation",
    title="Community Hub — participation",
    description="Residents set the agenda: ideas proposed, supported, answered by the hub and tracked as actions; "
    "resident forum meetings with registration, minutes and actions; surveys; participatory budgeting.",
    settings_class=ParticipationSettings,
    routers=(
        hubs.router,
        ideas.router,
        moderation.router,
        responses.router,
        councillors.router,
        meetings.router,
        registrations.router,
        minutes.router,
        surveys.router,
        panel.router,
        pb_rounds.router,
        pb_proposals.router,
        pb_ballots.router,
        sign_in_links.router,
    ),
    # assets: the answers to forum room requests; issues: the after-fix questionnaire's answers;
    # inbound: partners' ballots and forum registrations, checked against the registry's grants
    consumes=(
        inbound_topic("participation"),
        PRIVACY_TOPIC,
        events_topic("assets"),
        events_topic("issues"),
        IDENTITY_EVENTS,
    ),
    publishes=PUBLISHES,
    indexes=INDEXES,
    seed_demo_data=seed_demo_data,
    processing=DECLARATION,
)

if __name__ == "__main__":
    main(DEFINITION)

"""The notifications service: what it is, and its role switch.

Run it as ``python -m hub_notifications --role api|worker|all``.
"""

from hub_common.contracts import CONTACTS_TOPIC, PRIVACY_TOPIC, events_topic, inbound_topic
from hub_common.partner_grants import IDENTITY_EVENTS
from hub_common.runner import main
from hub_common.service import ServiceDefinition
from hub_notifications.adapters import INDEXES
from hub_notifications.api import channels, contacts, inbox, messages, preferences, privacy, rules, templates, webhooks
from hub_notifications.bootstrap import bootstrap
from hub_notifications.demo import seed_demo_data
from hub_notifications.domain.processing import DECLARATION
from hub_notifications.settings import NotificationsSettings

DEFINITION = ServiceDefinition(
    name="notifications",
    title="Community Hub — notifications",
    description="Turns events into messages: email, SMS, webhooks for partners and an in-app inbox.",
    settings_class=NotificationsSettings,
    bootstrap=bootstrap,
    routers=(
        messages.router,
        inbox.router,
        rules.router,
        preferences.router,
        templates.router,
        webhooks.router,
        channels.router,
        contacts.router,
        privacy.router,
        privacy.self_router,
    ),
    consumes=(
        CONTACTS_TOPIC,
        inbound_topic("notifications"),
        events_topic("volunteers"),
        events_topic("issues"),
        events_topic("assets"),
        events_topic("participation"),
        PRIVACY_TOPIC,
        IDENTITY_EVENTS,  # the partner registry: which types each partner's webhooks may carry
    ),
    publishes=(
        "hub.notifications.message.status_changed.v1",
        "hub.notifications.privacy_request.opened.v1",
        "hub.notifications.privacy_request.answered.v1",
        "hub.notifications.privacy_answer.collected.v1",
        "hub.notifications.privacy_request.completed.v1",
        "hub.notifications.privacy_confirmation.requested.v1",
    ),
    indexes=INDEXES,
    seed_demo_data=seed_demo_data,
    processing=DECLARATION,
)

if __name__ == "__main__":
    main(DEFINITION)

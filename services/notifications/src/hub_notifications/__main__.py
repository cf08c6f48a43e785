"""Wiring of the notifications service and the role switch: ``python -m hub_notifications --role api|worker|all``."""

from hub_common.contracts import CONTACTS_TOPIC, events_topic, inbound_topic
from hub_common.runner import main
from hub_common.service import ServiceDefinition
from hub_notifications import handlers
from hub_notifications.adapters.contact_book import CONTACT_BOOK_INDEXES
from hub_notifications.settings import NotificationsSettings

DEFINITION = ServiceDefinition(
    name="notifications",
    title="Community Hub — notifications",
    description="Turns events into messages: email, SMS, webhooks for partners and an in-app inbox.",
    settings_class=NotificationsSettings,
    handlers=handlers.handlers,
    consumes=(
        CONTACTS_TOPIC,
        inbound_topic("notifications"),
        events_topic("volunteers"),
        events_topic("issues"),
        events_topic("assets"),
    ),
    indexes=CONTACT_BOOK_INDEXES,
)

if __name__ == "__main__":
    main(DEFINITION)

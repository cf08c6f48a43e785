"""Wiring of the notifications service and its role switch.

Run it as ``python -m hub_notifications --role api|worker|all``.
"""

from hub_common.contracts import CONTACTS_TOPIC, events_topic, inbound_topic
from hub_common.runner import main
from hub_common.scheduler import PeriodicTask
from hub_common.service import ServiceContext, ServiceDefinition
from hub_notifications import handlers
from hub_notifications.adapters.contact_book import CONTACT_BOOK_INDEXES
from hub_notifications.adapters.hub_staff import HUB_STAFF_INDEXES
from hub_notifications.adapters.issue_followers import ISSUE_FOLLOWER_INDEXES
from hub_notifications.adapters.messages import MESSAGE_INDEXES, MessageStore
from hub_notifications.adapters.webhooks import WEBHOOK_INDEXES
from hub_notifications.api.routes import build_router
from hub_notifications.api.webhooks import build_webhook_router
from hub_notifications.demo import seed_demo_data
from hub_notifications.settings import NotificationsSettings
from hub_notifications.wiring import notification_service, webhook_service


def routers(ctx: ServiceContext):
    return [
        build_router(ctx, notification_service(ctx), MessageStore(ctx.db)),
        build_webhook_router(webhook_service(ctx)),
    ]


def periodic(ctx: ServiceContext):
    return [
        PeriodicTask("deliver-messages", interval_s=0.5, run=notification_service(ctx).deliver_due),
        PeriodicTask("deliver-webhooks", interval_s=0.5, run=webhook_service(ctx).deliver_due),
        PeriodicTask("send-digests", interval_s=60, run=notification_service(ctx).send_digests),
    ]


DEFINITION = ServiceDefinition(
    name="notifications",
    title="Community Hub — notifications",
    description="Turns events into messages: email, SMS, webhooks for partners and an in-app inbox.",
    settings_class=NotificationsSettings,
    routers=routers,
    handlers=handlers.handlers,
    periodic=periodic,
    consumes=(
        CONTACTS_TOPIC,
        inbound_topic("notifications"),
        events_topic("volunteers"),
        events_topic("issues"),
        events_topic("assets"),
    ),
    publishes=("hub.notifications.message.status_changed.v1",),
    indexes=(*CONTACT_BOOK_INDEXES, *MESSAGE_INDEXES, *WEBHOOK_INDEXES, *HUB_STAFF_INDEXES, *ISSUE_FOLLOWER_INDEXES),
    seed_demo_data=seed_demo_data,
)

if __name__ == "__main__":
    main(DEFINITION)

"""Wiring of the notifications service and its role switch.

Run it as ``python -m hub_notifications --role api|worker|all``.
"""

from hub_common.contracts import CONTACTS_TOPIC, events_topic, inbound_topic
from hub_common.runner import main
from hub_common.scheduler import PeriodicTask
from hub_common.service import Components, ServiceContext, ServiceDefinition
from hub_common.wake import insert_driven_loop
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

DELIVERY_BATCH = 200  # what deliver_due handles per call


def routers(ctx: ServiceContext):
    return [
        build_router(ctx, notification_service(ctx), MessageStore(ctx.db)),
        build_webhook_router(webhook_service(ctx)),
    ]


def periodic(ctx: ServiceContext):
    return [PeriodicTask("send-digests", interval_s=60, run=notification_service(ctx).send_digests)]


def loops(ctx: ServiceContext):
    """Delivery starts as soon as a message or webhook delivery is planned, on every worker replica
    (each item is claimed atomically), and picks up retries as they fall due."""
    messages, webhooks = notification_service(ctx), webhook_service(ctx)
    return [
        insert_driven_loop(
            "deliver-messages",
            messages.messages.collection,
            lambda: messages.deliver_due(DELIVERY_BATCH),
            batch=DELIVERY_BATCH,
        ),
        insert_driven_loop(
            "deliver-webhooks",
            webhooks.deliveries.collection,
            lambda: webhooks.deliver_due(DELIVERY_BATCH),
            batch=DELIVERY_BATCH,
        ),
    ]


def bootstrap(ctx: ServiceContext) -> Components:  # TRANSITION
    return Components(handlers=handlers.handlers(ctx), periodic=periodic(ctx), loops=loops(ctx))


DEFINITION = ServiceDefinition(
    bootstrap=bootstrap,
    name="notifications",
    title="Community Hub — notifications",
    description="Turns events into messages: email, SMS, webhooks for partners and an in-app inbox.",
    settings_class=NotificationsSettings,
    routers=routers,
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

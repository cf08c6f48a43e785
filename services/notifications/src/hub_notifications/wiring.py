"""Builds the notifications service's objects once per running service."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from hub_common.service import ServiceContext
from hub_notifications.adapters.contact_book import ContactBook
from hub_notifications.adapters.email import SmtpEmailSender
from hub_notifications.adapters.hub_staff import HubStaff
from hub_notifications.adapters.issue_followers import IssueFollowers
from hub_notifications.adapters.messages import MessageStore
from hub_notifications.adapters.preferences import PreferenceStore
from hub_notifications.adapters.rule_settings import RuleSettings
from hub_notifications.adapters.sms import HttpSmsSender
from hub_notifications.adapters.templates import TemplateStore
from hub_notifications.adapters.webhooks import DeliveryStore, HttpWebhookSender, SubscriptionStore
from hub_notifications.service import NotificationService, WebhookService
from hub_notifications.settings import NotificationsSettings


@cache
def notification_service(ctx: ServiceContext) -> NotificationService:
    settings: NotificationsSettings = ctx.settings  # type: ignore[assignment]
    return NotificationService(
        uow=ctx.uow,
        messages=MessageStore(ctx.db, timedelta(seconds=settings.sending_lease_s)),
        contacts=ContactBook(ctx.db),
        templates=TemplateStore(ctx.db),
        preferences=PreferenceStore(ctx.db),
        rule_settings=RuleSettings(ctx.db),
        hub_staff=HubStaff(ctx.db),
        followers=IssueFollowers(ctx.db),
        email=SmtpEmailSender(settings.smtp_host, settings.smtp_port, settings.smtp_from),
        sms=HttpSmsSender(settings.sms_endpoint, settings.sms_api_key.get_secret_value()),
        max_per_hour=settings.max_messages_per_hour,
        rate_limits={"email": settings.email_rate_per_s, "sms": settings.sms_rate_per_s},
        public_base_url=settings.public_base_url,
        auth_secret=settings.auth_secret.get_secret_value(),
    )


@cache
def webhook_service(ctx: ServiceContext) -> WebhookService:
    settings: NotificationsSettings = ctx.settings  # type: ignore[assignment]
    return WebhookService(
        uow=ctx.uow,
        subscriptions=SubscriptionStore(ctx.db),
        deliveries=DeliveryStore(ctx.db, timedelta(seconds=settings.sending_lease_s)),
        sender=HttpWebhookSender(allow_private=settings.webhook_allow_private),
        allow_private=settings.webhook_allow_private,
    )

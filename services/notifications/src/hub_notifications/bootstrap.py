"""The composition root: every object of the notifications service, built once per process.

The routes' use cases, the consumer's handlers, the digest task and the two delivery loops all
share these objects (and so, in ``--role all``, one rate limiter per channel)."""

from __future__ import annotations

from datetime import timedelta

from hub_common.issuer import IssuerClient
from hub_common.partner_grants import PartnerGrantRepository
from hub_common.scheduler import PeriodicTask
from hub_common.sealed import Sealer
from hub_common.service import Components, ServiceContext
from hub_common.wake import InsertWake, insert_driven_loop
from hub_notifications.adapters.channel_health import ChannelHealthRepository
from hub_notifications.adapters.contacts import ContactRepository
from hub_notifications.adapters.deliveries import DeliveryRepository
from hub_notifications.adapters.email import SmtpEmailSender
from hub_notifications.adapters.hub_staff import HubStaffRepository
from hub_notifications.adapters.issue_followers import IssueFollowerRepository
from hub_notifications.adapters.messages import MessageRepository
from hub_notifications.adapters.preferences import PreferencesRepository
from hub_notifications.adapters.privacy import PrivacyRequestRepository
from hub_notifications.adapters.rule_settings import RuleSettingRepository
from hub_notifications.adapters.sent_log import SentLog
from hub_notifications.adapters.sms import HttpSmsSender
from hub_notifications.adapters.subscriptions import SubscriptionRepository
from hub_notifications.adapters.templates import TemplateRepository
from hub_notifications.adapters.webhook_sender import HttpWebhookSender
from hub_notifications.handlers import handlers
from hub_notifications.service import UseCases
from hub_notifications.service.channels import ChannelHealthService
from hub_notifications.service.contacts import ContactService
from hub_notifications.service.delivery import DeliveryService
from hub_notifications.service.handoff import Handoff
from hub_notifications.service.inbox import InboxService
from hub_notifications.service.messages import MessageService
from hub_notifications.service.personal_data import PersonalDataService
from hub_notifications.service.planning import PlanningService
from hub_notifications.service.preferences import PreferenceService
from hub_notifications.service.privacy import PrivacyService
from hub_notifications.service.recipients import RecipientReader
from hub_notifications.service.retention import retention_rules
from hub_notifications.service.rules import RuleService
from hub_notifications.service.sign_in_links import ISSUER, SignInLinks
from hub_notifications.service.templates import TemplateService
from hub_notifications.service.webhooks import WebhookService
from hub_notifications.settings import NotificationsSettings

DELIVERY_BATCH = 200  # what one delivery round attempts at most
DIGEST_INTERVAL_S = 60


def bootstrap(ctx: ServiceContext[NotificationsSettings]) -> Components:
    settings, clock, uow, db = ctx.settings, ctx.clock, ctx.uow, ctx.db
    lease = timedelta(seconds=settings.sending_lease_s)

    contacts = ContactRepository(db)
    messages = MessageRepository(db, lease, clock=clock)
    # What this worker's consumer plans ready to send goes straight to its own delivery (see Handoff);
    # the other workers are woken only by messages inserted due, not by those it claimed as it wrote them.
    handoff = Handoff(lease, capacity=2 * settings.delivery_batch_size)
    messages_wake = InsertWake(messages.collection, poll_interval_s=1.0, only={"status": "created"})
    handoff.nudge = messages_wake.inserted
    preferences = PreferencesRepository(db)
    rule_settings = RuleSettingRepository(db)
    hub_staff = HubStaffRepository(db)
    followers = IssueFollowerRepository(db)
    subscriptions = SubscriptionRepository(
        db, Sealer(settings.webhook_secret_key.get_secret_value(), setting="HUB_WEBHOOK_SECRET_KEY")
    )
    deliveries = DeliveryRepository(db, lease, clock=clock)

    templates = TemplateService(TemplateRepository(db), clock=clock)
    email = SmtpEmailSender(
        settings.smtp_host, settings.smtp_port, settings.smtp_from, connections=settings.email_connections
    )
    sms = HttpSmsSender(settings.sms_endpoint, settings.sms_api_key.get_secret_value())
    # A sign-in link's token is asked of the issuer as its message is sent. A token takes it
    # milliseconds: 2 s without an answer means it hangs, and the breaker should learn so soon.
    sign_in_links = SignInLinks(
        IssuerClient(
            settings.issuer_url or settings.auth_issuer,
            settings.issuer_client_id,
            settings.issuer_client_secret.get_secret_value(),
            timeout_s=2.0,
        )
    )
    # SMS without a provider fails each message permanently; there is no server to wait for. The
    # issuer is kept beside the channels: an email with a sign-in link needs it as much as SMTP.
    probes = {"email": email, **({"sms": sms} if settings.sms_endpoint else {}), ISSUER: sign_in_links}
    channels = ChannelHealthService(ChannelHealthRepository(db), messages, probes, clock=clock)
    limit = settings.max_messages_per_hour
    sent_log = SentLog(db, keep=limit)
    recipients = RecipientReader(contacts, preferences, templates, sent_log, max_per_hour=limit)
    planning = PlanningService(
        messages,
        rule_settings,
        hub_staff,
        followers,
        recipients,
        clock=clock,
        public_base_url=settings.public_base_url,
        handoff=handoff,
    )
    contact_book = ContactService(
        uow, contacts, messages, preferences, followers, sent_log, release_waiting=planning.release_waiting, clock=clock
    )
    privacy = PrivacyService(
        uow,
        PrivacyRequestRepository(db),
        contacts,
        clock=clock,
        export_ttl=timedelta(days=settings.privacy_export_retention_days),
        audit=ctx.audit,
        secret=settings.privacy_hash_key.get_secret_value(),
    )
    use_cases = UseCases(
        contacts=contact_book,
        planning=planning,
        delivery=DeliveryService(
            uow,
            messages,
            contacts,
            recipients,
            sent_log,
            email,
            sms,
            channels,
            sign_in_links,
            clock=clock,
            rate_limits={"email": settings.email_rate_per_s, "sms": settings.sms_rate_per_s},
            batch_size=settings.delivery_batch_size,
            handoff=handoff,
        ),
        channels=channels,
        messages=MessageService(messages),
        inbox=InboxService(messages, clock=clock),
        preferences=PreferenceService(preferences, clock=clock),
        templates=templates,
        rules=RuleService(uow, rule_settings, hub_staff, contacts, clock=clock),
        webhooks=WebhookService(
            subscriptions,
            deliveries,
            HttpWebhookSender(allow_private=settings.webhook_allow_private, clock=clock),
            PartnerGrantRepository(db),
            clock=clock,
            allow_private=settings.webhook_allow_private,
        ),
        privacy=privacy,
        personal_data=PersonalDataService(
            contact_book, contacts, messages, preferences, followers, hub_staff, clock=clock
        ),
    )
    delivery, webhooks = use_cases.delivery, use_cases.webhooks
    retention = ctx.retention_task(
        retention_rules(
            messages,
            privacy,
            content_days=settings.message_content_retention_days,
            inbox_days=settings.inbox_retention_days,
            privacy_export_days=settings.privacy_export_retention_days,
            clock=clock,
        )
    )
    return Components(
        use_cases=use_cases,
        handlers=handlers(use_cases),
        periodic=[
            PeriodicTask("send-digests", interval_s=DIGEST_INTERVAL_S, run=delivery.send_digests),
            retention,
        ],
        # Delivery starts as soon as a message or webhook delivery is planned, on every worker replica
        # (each item is claimed atomically), and picks up retries as they fall due.
        loops=[
            insert_driven_loop(
                "deliver-messages",
                messages.collection,
                lambda: delivery.deliver_due(DELIVERY_BATCH),
                batch=DELIVERY_BATCH,
                wake=messages_wake,
            ),
            insert_driven_loop(
                "deliver-webhooks",
                deliveries.collection,
                lambda: webhooks.deliver_due(DELIVERY_BATCH),
                batch=DELIVERY_BATCH,
            ),
        ],
    )

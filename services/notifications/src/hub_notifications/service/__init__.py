"""Use cases of the notifications service, one module per sub-domain; :class:`UseCases` names them."""

from __future__ import annotations

from dataclasses import dataclass

from hub_notifications.service.channels import ChannelHealthService
from hub_notifications.service.contacts import ContactService
from hub_notifications.service.delivery import DeliveryService
from hub_notifications.service.inbox import InboxService
from hub_notifications.service.messages import MessageService
from hub_notifications.service.personal_data import PersonalDataService
from hub_notifications.service.planning import PlanningService
from hub_notifications.service.preferences import PreferenceService
from hub_notifications.service.privacy import PrivacyService
from hub_notifications.service.rules import RuleService
from hub_notifications.service.templates import TemplateService
from hub_notifications.service.webhooks import WebhookService


@dataclass(frozen=True)
class UseCases:
    contacts: ContactService  # the contact book, from hub.contacts (and erasure)
    planning: PlanningService  # events → messages
    delivery: DeliveryService  # the worker's sending, and digests
    channels: ChannelHealthService  # each channel's server: up, or down and its messages held
    messages: MessageService  # message status for staff
    inbox: InboxService
    preferences: PreferenceService
    templates: TemplateService
    rules: RuleService  # a hub's rules and staff alerts
    webhooks: WebhookService
    privacy: PrivacyService  # privacy requests: one per person, answered by every service
    personal_data: PersonalDataService  # this service's own answer to them

"""The notifications service's dependency aliases: its use cases, and who may call what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from hub_common.auth import COUNCILLOR, STAFF_ROLES, Principal
from hub_common.http import require_roles, use_case
from hub_notifications.service.channels import ChannelHealthService
from hub_notifications.service.contacts import ContactService
from hub_notifications.service.inbox import InboxService
from hub_notifications.service.messages import MessageService
from hub_notifications.service.preferences import PreferenceService
from hub_notifications.service.privacy import PrivacyService
from hub_notifications.service.rules import RuleService
from hub_notifications.service.templates import TemplateService
from hub_notifications.service.webhooks import WebhookService

Messages = Annotated[MessageService, use_case(lambda uc: uc.messages)]
Inbox = Annotated[InboxService, use_case(lambda uc: uc.inbox)]
Preferences = Annotated[PreferenceService, use_case(lambda uc: uc.preferences)]
Templates = Annotated[TemplateService, use_case(lambda uc: uc.templates)]
Rules = Annotated[RuleService, use_case(lambda uc: uc.rules)]
Webhooks = Annotated[WebhookService, use_case(lambda uc: uc.webhooks)]
Channels = Annotated[ChannelHealthService, use_case(lambda uc: uc.channels)]
Contacts = Annotated[ContactService, use_case(lambda uc: uc.contacts)]
Privacy = Annotated[PrivacyService, use_case(lambda uc: uc.privacy)]

# Staff of any hub (routes without a hub in their path; what they show is narrowed to the caller's hubs).
Staff = Annotated[Principal, Depends(require_roles(*STAFF_ROLES))]
PartnerOrOperator = Annotated[Principal, Depends(require_roles("partner", "operator"))]
# A ward councillor (which hubs they represent, the use case checks).
Councillor = Annotated[Principal, Depends(require_roles(COUNCILLOR))]

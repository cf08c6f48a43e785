"""Request and response bodies of the notifications API (what is not a domain model as it stands)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, EmailStr, Field, HttpUrl, field_validator

from hub_common.contracts.privacy import HeldData, RequestKind
from hub_notifications.domain.channels import ChannelHealth
from hub_notifications.domain.messages import Message
from hub_notifications.domain.preferences import Preferences
from hub_notifications.domain.privacy import PrivacyRequest
from hub_notifications.domain.rules import Rule
from hub_notifications.domain.templates import MessageTemplate
from hub_notifications.domain.webhooks import Delivery, Subscription

FailureStatus = Literal["permanent_failure", "technical_failure"]

# -- channels -------------------------------------------------------------------------------------


class ChannelOut(BaseModel):
    """A delivery channel's server as the workers last saw it."""

    channel: str
    state: Literal["up", "down"]
    since: datetime = Field(description="when it went up or down (for a channel always up: when it was last asked)")
    held: int = Field(description="messages waiting for the server to answer again")
    unreachable: int = Field(description="sends in a row that could not reach the server")
    last_error: str | None = None
    next_probe_at: datetime | None = None
    checked_at: datetime

    @staticmethod
    def of(health: ChannelHealth, held: int) -> ChannelOut:
        return ChannelOut(
            channel=health.id,
            state=health.state,
            since=health.since,
            held=held,
            unreachable=health.unreachable,
            last_error=health.last_error,
            next_probe_at=health.next_probe_at,
            checked_at=health.checked_at,
        )


# -- messages and the inbox ------------------------------------------------------------------------


class MessageStatus(BaseModel):
    id: str
    event_id: str
    event_type: str
    message_type: str
    channel: str
    status: str
    reason: str | None = None
    attempts: int
    created_at: datetime
    updated_at: datetime | None = None
    history: list[dict[str, Any]] = Field(default_factory=list)

    @staticmethod
    def of(message: Message) -> MessageStatus:
        return MessageStatus.model_validate(message.model_dump(include=set(MessageStatus.model_fields)))


class InboxItem(BaseModel):
    id: str
    subject: str
    body: str
    created_at: datetime
    read: bool
    content_removed_at: datetime | None = Field(
        default=None, description="set once the retention schedule removed the message's text"
    )

    @staticmethod
    def of(message: Message) -> InboxItem:
        return InboxItem(
            id=message.id,
            subject=message.subject or "",
            body=message.body or "",
            created_at=message.created_at,
            read=message.read_at is not None,
            content_removed_at=message.content_removed_at,
        )


class UnreadCount(BaseModel):
    unread: int


# -- templates ------------------------------------------------------------------------------------


class TemplateIn(BaseModel):
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=10_000)


class TemplateOut(TemplateIn):
    message_type: str
    channel: str
    language: str
    version: int
    is_default: bool

    @staticmethod
    def of(template: MessageTemplate) -> TemplateOut:
        return TemplateOut.model_validate(template.model_dump())


class PreviewIn(TemplateIn):
    values: dict[str, Any] = Field(default_factory=dict, description="example values for the fields")


class PreviewOut(BaseModel):
    subject: str
    body: str


# -- a hub's rules and staff alerts ---------------------------------------------------------------


class RuleOut(BaseModel):
    message_type: str
    event_type: str
    channels: list[str]
    category: str
    critical: bool
    enabled: bool

    @staticmethod
    def of(rule: Rule, *, enabled: bool) -> RuleOut:
        return RuleOut(
            message_type=rule.message_type,
            event_type=rule.event_type,
            channels=list(rule.channels),
            category=rule.category,
            critical=rule.critical,
            enabled=enabled,
        )


class RuleSwitch(BaseModel):
    enabled: bool


class StaffAlertsIn(BaseModel):
    display_name: str = Field(min_length=1, max_length=200)
    email: EmailStr = Field(description="work address for alerts about this hub")


# -- preferences ----------------------------------------------------------------------------------


class QuietHoursIn(BaseModel):
    start: time = Field(description="local time, e.g. 21:00")
    end: time = Field(description="local time, e.g. 08:00")


class PreferencesIn(BaseModel):
    opt_outs: list[str] = Field(
        default_factory=list, description="'category:channel' or 'category:*', e.g. 'issue_updates:email'"
    )
    quiet_hours: QuietHoursIn | None = None
    digest: Literal["off", "daily", "weekly"] = "off"
    timezone: str = "Europe/London"

    @field_validator("opt_outs")
    @classmethod
    def _opt_outs(cls, values: list[str]) -> list[str]:
        for value in values:
            category, _, channel = value.partition(":")
            if not category or channel not in ("email", "sms", "inapp", "*"):
                raise ValueError(f"{value!r} is not 'category:channel' (channel email, sms, inapp or *)")
        return values

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class PreferencesOut(PreferencesIn):
    version: int

    @staticmethod
    def of(preferences: Preferences) -> PreferencesOut:
        return PreferencesOut.model_validate(preferences.model_dump())


# -- webhooks -------------------------------------------------------------------------------------


class Near(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: float = Field(gt=0, le=100_000)


class SubscriptionIn(BaseModel):
    url: HttpUrl = Field(description="https endpoint that receives structured CloudEvents")
    event_types: list[str] = Field(default_factory=list, description="empty: every public event type")
    hub_ids: list[str] = Field(default_factory=list, description="empty: every hub")
    categories: list[str] = Field(default_factory=list, description="issue service codes etc.; empty: all")
    near: Near | None = None
    description: str | None = Field(default=None, max_length=300)


class SubscriptionPatch(BaseModel):
    url: HttpUrl | None = None
    event_types: list[str] | None = None
    hub_ids: list[str] | None = None
    categories: list[str] | None = None
    near: Near | None = None
    description: str | None = Field(default=None, max_length=300)


class SubscriptionOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    hub_ids: list[str]
    categories: list[str]
    near: Near | None = None
    description: str | None = None
    status: str
    consecutive_failures: int
    created_at: datetime
    version: int

    @staticmethod
    def of(subscription: Subscription) -> SubscriptionOut:
        return SubscriptionOut.model_validate(subscription.model_dump(exclude={"secrets"}))


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="signing secret (Standard Webhooks 'whsec_…'); shown only now")

    @staticmethod
    def of_new(subscription: Subscription, secret: str) -> SubscriptionCreated:
        return SubscriptionCreated.model_validate({**subscription.model_dump(exclude={"secrets"}), "secret": secret})


class DeliveryOut(BaseModel):
    id: str
    event_id: str
    event_type: str
    status: str
    reason: str | None = None
    attempts: int
    created_at: datetime
    history: list[dict[str, Any]] = Field(default_factory=list)

    @staticmethod
    def of(delivery: Delivery) -> DeliveryOut:
        return DeliveryOut.model_validate(delivery.model_dump(exclude={"payload"}))


class PrivacyRequestIn(BaseModel):
    """A person's request as the privacy team received it (letter, phone, email, or the web form)."""

    model_config = {"extra": "forbid"}

    kind: RequestKind = Field(description="erasure: delete everything about them; access: send them a copy")
    email: EmailStr | None = Field(default=None, description="the person's email (give this, the phone, or both)")
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ]{7,20}$")
    reference: str = Field(min_length=1, max_length=100, description="your case reference")
    reason: str = Field(min_length=1, max_length=1000, description="how it was received and why it is valid")


class SelfRequestIn(BaseModel):
    """A person's own request: we email the address a link to confirm it."""

    model_config = {"extra": "forbid"}

    kind: RequestKind
    email: EmailStr


class PrivacyAnswerOut(BaseModel):
    service: str
    status: Literal["waiting", "answered"]
    answered_at: datetime | None = None
    held: list[HeldData] = []


class PrivacyRequestOut(BaseModel):
    id: str
    kind: RequestKind
    status: Literal["open", "completed"]
    reference: str
    reason: str
    handled_by: str
    email: str | None = Field(description="held while the request is open, then dropped")
    phone: str | None
    people_found: int = Field(description="how many ids in the services the email or phone matched")
    received_at: datetime
    due_at: datetime = Field(description="one calendar month after it was received")
    overdue: bool
    completed_at: datetime | None
    export_expires_at: datetime | None
    services: list[PrivacyAnswerOut] = Field(description="each service's answer: the receipt once all have")

    @staticmethod
    def of(request: PrivacyRequest, now: datetime | None = None) -> PrivacyRequestOut:
        now = now or datetime.now(UTC)
        return PrivacyRequestOut(
            **request.model_dump(
                include={
                    "id",
                    "kind",
                    "status",
                    "reference",
                    "reason",
                    "handled_by",
                    "email",
                    "phone",
                    "people_found",
                    "received_at",
                    "due_at",
                    "completed_at",
                    "export_expires_at",
                }
            ),
            overdue=request.status == "open" and now > request.due_at,
            services=[
                PrivacyAnswerOut(service=s, status="answered", answered_at=a.answered_at, held=a.held)
                if (a := request.answers.get(s))
                else PrivacyAnswerOut(service=s, status="waiting")
                for s in request.services
            ],
        )

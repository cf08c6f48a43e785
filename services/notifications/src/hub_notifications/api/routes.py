"""HTTP API of the notifications service: message status, the in-app inbox, templates."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, EmailStr, Field, field_validator

from hub_common.auth import Principal
from hub_common.concurrency import etag_for
from hub_common.errors import NotFound
from hub_common.http import PageQuery, current_principal, if_match_version, require_roles
from hub_common.pagination import Page, find_page
from hub_common.service import ServiceContext
from hub_notifications.adapters.messages import MessageStore
from hub_notifications.domain.rules import RULES, Rule
from hub_notifications.domain.templates import Template
from hub_notifications.service import NotificationService, rule_for_message_type

FailureStatus = Literal["permanent_failure", "technical_failure"]
FAILURE_STATUSES: tuple[str, ...] = ("permanent_failure", "technical_failure")
StaffOrOperator = Annotated[Principal, Depends(require_roles("staff", "operator"))]
SignedIn = Annotated[Principal, Depends(current_principal)]


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


class InboxItem(BaseModel):
    id: str
    subject: str
    body: str
    created_at: datetime
    read: bool


class UnreadCount(BaseModel):
    unread: int


class TemplateIn(BaseModel):
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=10_000)


class TemplateOut(TemplateIn):
    message_type: str
    channel: str
    language: str
    version: int
    is_default: bool


class RuleOut(BaseModel):
    message_type: str
    event_type: str
    channels: list[str]
    category: str
    critical: bool
    enabled: bool


class StaffAlertsIn(BaseModel):
    display_name: str = Field(min_length=1, max_length=200)
    email: EmailStr = Field(description="work address for alerts about this hub")


class RuleSwitch(BaseModel):
    enabled: bool


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


class PreviewIn(TemplateIn):
    values: dict[str, Any] = Field(default_factory=dict, description="example values for the fields")


class PreviewOut(BaseModel):
    subject: str
    body: str


def _status(doc: dict[str, Any]) -> MessageStatus:
    return MessageStatus(id=doc["_id"], **{k: v for k, v in doc.items() if k in MessageStatus.model_fields})


def _rule_out(rule: Rule, *, enabled: bool) -> RuleOut:
    return RuleOut(
        message_type=rule.message_type,
        event_type=rule.event_type,
        channels=list(rule.channels),
        category=rule.category,
        critical=rule.critical,
        enabled=enabled,
    )


def build_router(ctx: ServiceContext, service: NotificationService, messages: MessageStore) -> APIRouter:
    router = APIRouter(prefix="/v1")

    def visible_to(principal: Principal, doc: dict[str, Any]) -> bool:
        return doc.get("hub_id") is None or principal.can_act_for_hub(doc["hub_id"])

    @router.get("/messages/{message_id}", tags=["messages"], summary="Delivery status of one message")
    async def get_message(message_id: str, principal: StaffOrOperator) -> MessageStatus:
        doc = await messages.get(message_id)
        if doc is None or not visible_to(principal, doc):
            raise NotFound(f"no message {message_id}")
        return _status(doc)

    @router.get("/events/{event_id}/messages", tags=["messages"], summary="Every message an event caused")
    async def messages_for_event(event_id: str, principal: StaffOrOperator) -> list[MessageStatus]:
        return [_status(doc) for doc in await messages.for_event(event_id) if visible_to(principal, doc)]

    @router.get(
        "/hubs/{hub_id}/messages",
        tags=["messages"],
        summary="A hub's messages that failed to deliver (permanent or technical failures), newest first",
    )
    async def hub_failures(
        hub_id: str,
        principal: StaffOrOperator,
        page: Annotated[PageQuery, Depends()],
        status: Annotated[list[FailureStatus] | None, Query(description="default: both failure statuses")] = None,
    ) -> Page[MessageStatus]:
        principal.require_hub(hub_id)
        docs, next_cursor = await find_page(
            messages.collection,
            {"hub_id": hub_id, "status": {"$in": status or list(FAILURE_STATUSES)}},
            sort=[("hub_id", 1), ("created_at", -1), ("_id", -1)],
            limit=page.limit,
            cursor=page.cursor,
            hint="by_hub",
        )
        return Page(items=[_status(d) for d in docs], next_cursor=next_cursor)

    @router.get("/inbox", tags=["inbox"], summary="Your in-app messages, newest first")
    async def inbox(principal: SignedIn, page: Annotated[PageQuery, Depends()]) -> Page[InboxItem]:
        docs, next_cursor = await find_page(
            messages.collection,
            {"person_id": principal.sub, "channel": "inapp", "status": "delivered"},
            sort=[("person_id", 1), ("channel", 1), ("created_at", -1), ("_id", -1)],
            limit=page.limit,
            cursor=page.cursor,
            hint="inbox",  # the dev database's planner scans the collection without it
        )
        items = [
            InboxItem(
                id=d["_id"],
                subject=d.get("subject", ""),
                body=d.get("body", ""),
                created_at=d["created_at"],
                read=d.get("read_at") is not None,
            )
            for d in docs
        ]
        return Page(items=items, next_cursor=next_cursor)

    @router.get("/inbox/unread-count", tags=["inbox"], summary="How many in-app messages you have not read")
    async def unread(principal: SignedIn) -> UnreadCount:
        return UnreadCount(unread=await messages.unread_count(principal.sub))

    @router.post("/inbox/{message_id}/read", tags=["inbox"], status_code=204, summary="Mark a message as read")
    async def mark_read(message_id: str, principal: SignedIn) -> Response:
        if not await messages.mark_read(principal.sub, message_id, datetime.now(UTC)):
            raise NotFound(f"no message {message_id} in your inbox")
        return Response(status_code=204)

    @router.get("/hubs/{hub_id}/rules", tags=["rules"], summary="The message rules and whether this hub uses them")
    async def hub_rules(hub_id: str, principal: StaffOrOperator) -> list[RuleOut]:
        principal.require_hub(hub_id)
        off = await service.rule_settings.disabled(hub_id)
        return [_rule_out(rule, enabled=rule.message_type not in off) for rule in RULES]

    @router.put("/hubs/{hub_id}/rules/{message_type}", tags=["rules"], summary="Turn a rule on or off for a hub")
    async def switch_rule(hub_id: str, message_type: str, body: RuleSwitch, principal: StaffOrOperator) -> RuleOut:
        principal.require_hub(hub_id)
        rule = rule_for_message_type(message_type)
        await service.rule_settings.set(hub_id, message_type, body.enabled, principal.sub)
        return _rule_out(rule, enabled=body.enabled)

    @router.put(
        "/hubs/{hub_id}/staff-alerts/me", tags=["rules"], status_code=204, summary="Get this hub's staff alerts"
    )
    async def join_staff_alerts(hub_id: str, body: StaffAlertsIn, principal: StaffOrOperator) -> Response:
        await service.alert_staff(principal, hub_id, body.display_name, str(body.email))
        return Response(status_code=204)

    @router.delete(
        "/hubs/{hub_id}/staff-alerts/me", tags=["rules"], status_code=204, summary="Stop this hub's staff alerts"
    )
    async def leave_staff_alerts(hub_id: str, principal: StaffOrOperator) -> Response:
        if not await service.hub_staff.leave(hub_id, principal.sub):
            raise NotFound(f"you do not get alerts for {hub_id}")
        return Response(status_code=204)

    @router.get("/preferences/me", tags=["preferences"], summary="Your notification preferences")
    async def my_preferences(principal: SignedIn, response: Response) -> PreferencesOut:
        doc = await service.preferences.get_doc(principal.sub)
        response.headers["ETag"] = etag_for(doc["version"])
        return PreferencesOut(**doc)

    @router.put("/preferences/me", tags=["preferences"], summary="Change what you hear about, how and when")
    async def set_my_preferences(
        body: PreferencesIn,
        principal: SignedIn,
        response: Response,
        expected: Annotated[int | None, Depends(if_match_version)],
    ) -> PreferencesOut:
        doc = await service.preferences.save(principal.sub, body.model_dump(mode="json"), expected)
        response.headers["ETag"] = etag_for(doc["version"])
        return PreferencesOut(**doc)

    @router.get("/templates", tags=["templates"], summary="Every template, edited or default")
    async def list_templates(_principal: StaffOrOperator) -> list[TemplateOut]:
        return [TemplateOut(**doc) for doc in await service.templates.all()]

    @router.get("/templates/{message_type}/{channel}/{language}", tags=["templates"])
    async def get_template(
        message_type: str, channel: str, language: str, response: Response, _principal: StaffOrOperator
    ) -> TemplateOut:
        doc = await service.templates.get_doc(f"{message_type}|{channel}|{language}")
        response.headers["ETag"] = etag_for(doc["version"])
        return TemplateOut(**doc)

    @router.put(
        "/templates/{message_type}/{channel}/{language}",
        tags=["templates"],
        summary="Edit a template (fields the event cannot supply are refused)",
    )
    async def put_template(
        message_type: str,
        channel: str,
        language: str,
        body: TemplateIn,
        response: Response,
        principal: Annotated[Principal, Depends(require_roles("operator", "staff"))],
        expected: Annotated[int | None, Depends(if_match_version)],
    ) -> TemplateOut:
        template = Template(message_type, channel, language, body.subject, body.body)
        doc = await service.save_template(template, expected)
        response.headers["ETag"] = etag_for(doc["version"])
        return TemplateOut(**doc)

    @router.post(
        "/templates/{message_type}/{channel}/{language}/preview",
        tags=["templates"],
        summary="Render a template with example values",
    )
    async def preview_template(
        message_type: str, channel: str, language: str, body: PreviewIn, _principal: StaffOrOperator
    ) -> PreviewOut:
        subject, text = await service.preview(
            Template(message_type, channel, language, body.subject, body.body), body.values
        )
        return PreviewOut(subject=subject, body=text)

    return router

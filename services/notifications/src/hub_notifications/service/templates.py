"""Templates: staff edit the plain-language text of each message; a field its events cannot supply is refused."""

from __future__ import annotations

from datetime import date, datetime

from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts import contract_for
from hub_common.errors import NotFound, PreconditionFailed, RuleViolation
from hub_notifications.adapters.templates import TemplateRepository
from hub_notifications.domain.rules import DEFAULT_TEMPLATES, RECIPIENT_FIELDS, RULES, TEXT_SUFFIX, WORDED_FIELDS, Rule
from hub_notifications.domain.templates import (
    MessageTemplate,
    Template,
    TemplateError,
    check_fields,
    render,
    template_key,
)

FALLBACK_LANGUAGE = "en"
DEFAULTS = {t.key: t for t in DEFAULT_TEMPLATES}


def available_fields(event_type: str) -> set[str]:
    """The personalisation fields a message about ``event_type`` can use (dates also in plain words)."""
    fields = contract_for(event_type).model.model_fields
    text = {f"{name}{TEXT_SUFFIX}" for name, f in fields.items() if _is_date(f.annotation) or name in WORDED_FIELDS}
    return set(fields) | text | set(RECIPIENT_FIELDS)


def fields_for_message_type(message_type: str) -> set[str]:
    """What every event that sends this message type can supply (and {link} where the rule has one)."""
    rules = [r for r in RULES if r.message_type == message_type]
    if not rules:
        raise NotFound(f"there is no message type {message_type!r}")
    links = {"link"} if all(r.link for r in rules) else set()
    return set.intersection(*(available_fields(r.event_type) for r in rules)) | links


def _is_date(annotation: object) -> bool:
    return any(t in (date, datetime) for t in (annotation, *getattr(annotation, "__args__", ())))


def rule_for_message_type(message_type: str) -> Rule:
    for rule in RULES:
        if rule.message_type == message_type:
            return rule
    raise NotFound(f"there is no message type {message_type!r}")


def channels_for_message_type(message_type: str) -> set[str]:
    return {c for r in RULES if r.message_type == message_type for c in r.channels}


class TemplateService:
    def __init__(self, templates: TemplateRepository, *, clock: Clock) -> None:
        self.templates = templates
        self.clock = clock

    async def text_for(self, message_type: str, channel: str, language: str) -> Template:
        """The template for a language, else the English one; staff edits win over defaults."""
        for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
            key = template_key(message_type, channel, lang)
            edited = await self.templates.find(key)
            if edited is not None:
                return edited.text
            if key in DEFAULTS:
                return DEFAULTS[key]
        raise NotFound(f"no template for {message_type} by {channel}")

    async def all(self) -> list[MessageTemplate]:
        """Every template, edited or default, by key."""
        edited = {t.id: t for t in await self.templates.edited()}
        defaults = [MessageTemplate.default(t) for key, t in DEFAULTS.items() if key not in edited]
        return sorted([*edited.values(), *defaults], key=lambda t: t.id)

    async def get(self, message_type: str, channel: str, language: str) -> MessageTemplate:
        key = template_key(message_type, channel, language)
        edited = await self.templates.find(key)
        if edited is not None:
            return edited
        if key in DEFAULTS:
            return MessageTemplate.default(DEFAULTS[key])
        raise NotFound(f"no template {key}")

    async def save(self, template: Template, expected_version: int | None) -> MessageTemplate:
        """Store staff's text for a template (versioned), once its fields are ones its events supply."""
        available = fields_for_message_type(template.message_type)  # 404 for an unknown type
        if template.channel not in channels_for_message_type(template.message_type):
            raise RuleViolation(f"{template.message_type} is not sent by {template.channel}")
        try:
            check_fields(template, available)
        except TemplateError as exc:
            raise RuleViolation(str(exc), errors=[{"field": "body", "message": str(exc)}]) from None
        current = await self.templates.find(template.key)
        version = current.version if current else 0
        check_version(expected_version, version)
        edited = MessageTemplate.edit(template, version + 1, self.clock())
        if not await self.templates.save_version(edited, version):
            raise PreconditionFailed("someone saved this template meanwhile; read it again")
        return edited

    async def preview(self, template: Template, values: dict[str, object]) -> tuple[str, str]:
        try:
            check_fields(template, fields_for_message_type(template.message_type))
        except TemplateError as exc:
            raise RuleViolation(str(exc)) from None
        return render(template, values)

"""Message templates: plain-language text with ``{field}`` personalisation, checked when saved."""

from __future__ import annotations

import string
from dataclasses import asdict, dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Template:
    """The text of one message type on one channel in one language."""

    message_type: str
    channel: str
    language: str
    subject: str
    body: str

    @property
    def key(self) -> str:
        return template_key(self.message_type, self.channel, self.language)


def template_key(message_type: str, channel: str, language: str) -> str:
    return f"{message_type}|{channel}|{language}"


class MessageTemplate(BaseModel):
    """A template as staff see it: a shipped default (version 0) or their edit of it (``id`` is its key)."""

    model_config = ConfigDict(frozen=True)

    id: str
    message_type: str
    channel: str
    language: str
    subject: str
    body: str
    version: int = 0
    is_default: bool = True
    updated_at: datetime | None = None

    @staticmethod
    def default(template: Template) -> MessageTemplate:
        return MessageTemplate(id=template.key, **asdict(template))

    @staticmethod
    def edit(template: Template, version: int, at: datetime) -> MessageTemplate:
        return MessageTemplate(id=template.key, **asdict(template), version=version, is_default=False, updated_at=at)

    @property
    def text(self) -> Template:
        return Template(self.message_type, self.channel, self.language, self.subject, self.body)


def placeholders(text: str) -> set[str]:
    """The personalisation fields a text uses; refuses format tricks (attributes, indexes, specs)."""
    fields = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(f"the template is not well formed: {exc}") from None
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise TemplateError(f"'{{{field}}}' is not a plain personalisation field like {{display_name}}")
        fields.add(field)
    return fields


def check_fields(template: Template, available: set[str]) -> None:
    """Reject a template that uses a field its event cannot supply."""
    unknown = (placeholders(template.subject) | placeholders(template.body)) - available
    if unknown:
        raise TemplateError(
            f"these fields are not available for {template.message_type}: {', '.join(sorted(unknown))}; "
            f"available: {', '.join(sorted(available))}"
        )


def render(template: Template, values: dict[str, object]) -> tuple[str, str]:
    def fill(text: str) -> str:
        return text.format_map({name: "" if values.get(name) is None else values[name] for name in placeholders(text)})

    return fill(template.subject), fill(template.body)

"""Message templates staff edit: read, change (fields the events cannot supply are refused), preview."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import IfMatch, set_etag
from hub_notifications.api.deps import Staff, Templates
from hub_notifications.api.schemas import PreviewIn, PreviewOut, TemplateIn, TemplateOut
from hub_notifications.domain.templates import Template

router = APIRouter(prefix="/v1/templates", tags=["templates"])


@router.get("", summary="Every template, edited or default")
async def list_templates(_principal: Staff, templates: Templates) -> list[TemplateOut]:
    return [TemplateOut.of(t) for t in await templates.all()]


@router.get("/{message_type}/{channel}/{language}")
async def get_template(
    message_type: str, channel: str, language: str, response: Response, _principal: Staff, templates: Templates
) -> TemplateOut:
    template = await templates.get(message_type, channel, language)
    set_etag(response, template.version)
    return TemplateOut.of(template)


@router.put(
    "/{message_type}/{channel}/{language}", summary="Edit a template (fields the event cannot supply are refused)"
)
async def put_template(
    message_type: str,
    channel: str,
    language: str,
    body: TemplateIn,
    response: Response,
    principal: Staff,
    expected: IfMatch,
    templates: Templates,
) -> TemplateOut:
    saved = await templates.save(Template(message_type, channel, language, body.subject, body.body), expected)
    set_etag(response, saved.version)
    return TemplateOut.of(saved)


@router.post("/{message_type}/{channel}/{language}/preview", summary="Render a template with example values")
async def preview_template(
    message_type: str, channel: str, language: str, body: PreviewIn, _principal: Staff, templates: Templates
) -> PreviewOut:
    subject, text = await templates.preview(
        Template(message_type, channel, language, body.subject, body.body), body.values
    )
    return PreviewOut(subject=subject, body=text)

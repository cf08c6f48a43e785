"""Templates staff have edited (``templates``); the shipped defaults are domain data, not stored."""

from __future__ import annotations

from hub_notifications.adapters.versioned import VersionedRepository
from hub_notifications.domain.templates import MessageTemplate

TEMPLATES = "templates"


class TemplateRepository(VersionedRepository[MessageTemplate]):
    collection_name = TEMPLATES
    model = MessageTemplate
    noun = "template"

    async def edited(self) -> list[MessageTemplate]:
        return [self.from_document(doc) async for doc in self.collection.find({})]

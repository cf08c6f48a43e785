"""Templates staff have edited (``templates``), falling back to the shipped plain-language defaults."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from hub_common.concurrency import check_version
from hub_common.errors import NotFound, PreconditionFailed
from hub_notifications.domain.rules import DEFAULT_TEMPLATES
from hub_notifications.domain.templates import Template

TEMPLATES = "templates"
FALLBACK_LANGUAGE = "en"


class TemplateStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db[TEMPLATES]
        self.defaults = {t.key: t for t in DEFAULT_TEMPLATES}

    async def find(self, message_type: str, channel: str, language: str) -> Template:
        """The template for a language, else the English one; staff edits win over defaults."""
        for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
            key = f"{message_type}|{channel}|{lang}"
            doc = await self.collection.find_one({"_id": key})
            if doc:
                return _template(doc)
            if key in self.defaults:
                return self.defaults[key]
        raise NotFound(f"no template for {message_type} by {channel}")

    async def get_doc(self, key: str) -> dict[str, Any]:
        doc = await self.collection.find_one({"_id": key})
        if doc:
            return doc
        if key in self.defaults:
            return {"_id": key, **asdict(self.defaults[key]), "version": 0, "is_default": True}
        raise NotFound(f"no template {key}")

    async def all(self) -> list[dict[str, Any]]:
        edited = {doc["_id"]: doc async for doc in self.collection.find({})}
        defaults = [
            {"_id": key, **asdict(t), "version": 0, "is_default": True}
            for key, t in self.defaults.items()
            if key not in edited
        ]
        return sorted([*edited.values(), *defaults], key=lambda d: d["_id"])

    async def save(self, template: Template, expected_version: int | None) -> dict[str, Any]:
        current = await self.collection.find_one({"_id": template.key})
        version = current["version"] if current else 0
        check_version(expected_version, version)
        doc = {**asdict(template), "version": version + 1, "is_default": False, "updated_at": datetime.now(UTC)}
        if current:
            result = await self.collection.replace_one({"_id": template.key, "version": version}, doc)
            if result.matched_count == 0:
                raise PreconditionFailed("someone saved this template meanwhile; read it again")
        else:
            try:
                await self.collection.insert_one({"_id": template.key, **doc})
            except DuplicateKeyError:
                raise PreconditionFailed("someone saved this template meanwhile; read it again") from None
        return {"_id": template.key, **doc}


def _template(doc: dict[str, Any]) -> Template:
    return Template(doc["message_type"], doc["channel"], doc["language"], doc["subject"], doc["body"])

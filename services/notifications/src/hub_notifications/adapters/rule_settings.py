"""Which message rules each hub has switched off (``rule_settings``); every rule is on by default."""

from __future__ import annotations

from hub_common.repository import Repository, Session
from hub_notifications.domain.hubs import RuleSetting

RULE_SETTINGS = "rule_settings"


class RuleSettingRepository(Repository[RuleSetting]):
    collection_name = RULE_SETTINGS
    model = RuleSetting
    noun = "rule setting"

    async def disabled(self, hub_id: str | None, session: Session = None) -> set[str]:
        """The message types a hub switched off."""
        if not hub_id:
            return set()
        docs = self.collection.find({"hub_id": hub_id, "enabled": False}, {"message_type": 1}, session=session)
        return {doc["message_type"] async for doc in docs}

    async def save(self, setting: RuleSetting, session: Session = None) -> None:
        doc = self.to_document(setting)
        await self.collection.replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)

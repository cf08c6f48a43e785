"""The ``idea_settings`` collection: the hubs open for ideas and the support threshold each asks for."""

from __future__ import annotations

from hub_common.mongo import IndexSpec
from hub_common.repository import Repository
from hub_participation.domain.hub import IdeaSettings

IDEA_SETTINGS = "idea_settings"

INDEXES: tuple[IndexSpec, ...] = ()  # read by _id only


class IdeaSettingsRepository(Repository[IdeaSettings]):
    collection_name = IDEA_SETTINGS
    model = IdeaSettings
    noun = "hub open for ideas"

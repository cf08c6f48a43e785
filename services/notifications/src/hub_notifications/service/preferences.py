"""Preferences: what each person hears about, on which channels, and when."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.errors import PreconditionFailed
from hub_notifications.adapters.preferences import PreferencesRepository
from hub_notifications.domain.preferences import Preferences


class PreferenceService:
    def __init__(self, preferences: PreferencesRepository, *, clock: Clock) -> None:
        self.preferences = preferences
        self.clock = clock

    async def of(self, person_id: str) -> Preferences:
        return await self.preferences.of(person_id)

    async def save(self, person_id: str, changes: Mapping[str, Any], expected_version: int | None) -> Preferences:
        """Change a person's preferences (any of their fields; the rest stay as they were)."""
        current = await self.preferences.of(person_id)
        check_version(expected_version, current.version)
        changed = current.changed(changes, self.clock())
        if not await self.preferences.save_version(changed, current.version):
            raise PreconditionFailed("your preferences changed meanwhile; read them again")
        return changed

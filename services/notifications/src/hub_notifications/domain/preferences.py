"""A person's preferences: what they opted out of, quiet hours, digests; critical messages bypass them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

Digest = Literal["off", "daily", "weekly"]
DIGEST_HOUR = time(8, 0)  # digests go out at 08:00 local time (weekly ones on Mondays)


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # spans midnight, e.g. 21:00-08:00


class Preferences(BaseModel):
    """One person's preferences (``id`` is their opaque person id); everyone starts at version 0."""

    model_config = ConfigDict(frozen=True)

    id: str
    opt_outs: tuple[str, ...] = ()  # "category:channel" or "category:*", in the order the person gave them
    quiet_hours: QuietHours | None = None
    digest: Digest = "off"
    timezone: str = "Europe/London"
    version: int = 0
    updated_at: datetime | None = None

    @property
    def person_id(self) -> str:
        return self.id

    def opted_out(self, category: str, channel: str) -> bool:
        return f"{category}:{channel}" in self.opt_outs or f"{category}:*" in self.opt_outs

    def changed(self, changes: Mapping[str, Any], at: datetime) -> Preferences:
        """These preferences with ``changes`` (any of their fields) applied: the next version."""
        fields = {**self.model_dump(), **changes, "version": self.version + 1, "updated_at": at}
        return Preferences.model_validate(fields)


@dataclass(frozen=True)
class Decision:
    action: Literal["send", "skip", "defer", "digest"]
    reason: str | None = None
    until: datetime | None = None


def decide(prefs: Preferences | None, *, category: str, channel: str, critical: bool, now: datetime) -> Decision:
    """What to do with a message now. In-app messages are never deferred: they make no noise."""
    if critical or prefs is None:
        return Decision("send")
    if prefs.opted_out(category, channel):
        return Decision("skip", f"opted out of {category} by {channel}")
    if channel == "inapp":
        return Decision("send")
    if prefs.digest != "off" and channel == "email":
        return Decision("digest", f"{prefs.digest} digest", next_digest_at(prefs, now))
    local = now.astimezone(ZoneInfo(prefs.timezone))
    if prefs.quiet_hours and prefs.quiet_hours.contains(local.time().replace(tzinfo=None)):
        return Decision("defer", "quiet hours", end_of_quiet_hours(prefs, now))
    return Decision("send")


def end_of_quiet_hours(prefs: Preferences, now: datetime) -> datetime:
    zone = ZoneInfo(prefs.timezone)
    local = now.astimezone(zone)
    end = datetime.combine(local.date(), prefs.quiet_hours.end, tzinfo=zone)
    if end <= local:
        end += timedelta(days=1)
    return end


def next_digest_at(prefs: Preferences, now: datetime) -> datetime:
    zone = ZoneInfo(prefs.timezone)
    local = now.astimezone(zone)
    due = datetime.combine(local.date(), DIGEST_HOUR, tzinfo=zone)
    if due <= local:
        due += timedelta(days=1)
    if prefs.digest == "weekly":
        due += timedelta(days=(7 - due.weekday()) % 7)  # the next Monday at 08:00
    return due

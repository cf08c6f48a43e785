"""What notifications keeps, and for how long: its retention schedule.

A message's content (the rendered subject and body, and the event's values it was written from,
which may name the person or describe their report) is removed once it has done its job; the
message's metadata (type, channel, status and history, who and when) stays as the record that it
was sent. The contact book is not here: it is kept while the person is known to the platform, and
removed by erasure.
"""

from __future__ import annotations

from datetime import timedelta

from hub_common.clock import Clock, system_clock
from hub_common.retention import RetentionRule
from hub_notifications.adapters.messages import MessageRepository
from hub_notifications.service.privacy import ASKS_COUNTED_FOR, PrivacyService


def retention_rules(
    messages: MessageRepository,
    privacy: PrivacyService,
    *,
    content_days: int,
    inbox_days: int,
    privacy_export_days: int,
    clock: Clock = system_clock,
) -> list[RetentionRule]:
    def content_of(*channels: str):
        async def remove(cutoff) -> int:
            now = clock()
            return sum([await messages.remove_content(channel, cutoff, now) for channel in channels])

        return remove

    return [
        RetentionRule(
            "email and text message content",
            timedelta(days=content_days),
            content_of("email", "sms"),
            why="the person has the email or text itself; the record that it was sent stays",
        ),
        RetentionRule(
            "in-app message content",
            timedelta(days=inbox_days),
            content_of("inapp"),
            why="the inbox is the person's only copy, so it keeps its text longer",
        ),
        RetentionRule(
            "subject access exports",
            timedelta(days=privacy_export_days),
            privacy.remove_exports,
            why="a copy of the person's data from every service: kept only long enough to send it",
        ),
        RetentionRule(
            "unconfirmed privacy requests",
            timedelta(0),
            privacy.remove_unconfirmed,
            why="an emailed confirmation link that expired, with the address it was asked for",
        ),
        RetentionRule(
            "privacy request rate-limit counts",
            ASKS_COUNTED_FOR,
            privacy.remove_asks,
            why="hashed records of asks, kept only as long as they can limit another",
        ),
    ]

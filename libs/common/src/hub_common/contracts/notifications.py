"""Events published by the notifications service (``hub.notifications.events``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hub_common.contracts.registry import EventData, event_contract

MessageChannel = Literal["email", "sms", "inapp"]
MessageStatus = Literal[
    "created",
    "sending",
    "delivered",
    "temporary_failure",
    "permanent_failure",
    "technical_failure",
    "skipped",
    "deferred",
    "digest_pending",
]


@event_contract("hub.notifications.message.status_changed.v1")
class MessageStatusChanged(EventData):
    """A message moved in its delivery lifecycle (no recipient details: ids and status only)."""

    message_id: str = Field(min_length=1, max_length=64)
    about_event_id: str = Field(min_length=1, max_length=128, description="the event the message is about")
    about_event_type: str
    message_type: str
    channel: MessageChannel
    status: MessageStatus
    reason: str | None = Field(default=None, max_length=2000)
    attempts: int = Field(ge=0)

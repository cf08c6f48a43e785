"""Message status for staff: how the messages of their hub fared, one by one or per event."""

from __future__ import annotations

from collections.abc import Sequence

from hub_common.auth import Principal
from hub_common.errors import NotFound
from hub_common.http import PageQuery
from hub_notifications.adapters.messages import MessageRepository
from hub_notifications.domain.messages import Message

FAILURE_STATUSES: tuple[str, ...] = ("permanent_failure", "technical_failure")


def visible_to(caller: Principal, message: Message) -> bool:
    return message.hub_id is None or caller.can_act_for_hub(message.hub_id)


class MessageService:
    def __init__(self, messages: MessageRepository) -> None:
        self.messages = messages

    async def get(self, caller: Principal, message_id: str) -> Message:
        message = await self.messages.find(message_id)
        if message is None or not visible_to(caller, message):
            raise NotFound(f"no message {message_id}")
        return message

    async def for_event(self, caller: Principal, event_id: str) -> list[Message]:
        return [m for m in await self.messages.for_event(event_id) if visible_to(caller, m)]

    async def failures_in_hub(
        self, hub_id: str, statuses: Sequence[str] | None, paging: PageQuery
    ) -> tuple[list[Message], str | None]:
        """A hub's messages that failed to deliver (both failure statuses unless narrowed), newest first."""
        return await self.messages.failed_in_hub(hub_id, statuses or FAILURE_STATUSES, paging)

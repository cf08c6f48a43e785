"""The in-app inbox: a person's delivered in-app messages, and which of them they have read."""

from __future__ import annotations

from hub_common.clock import Clock
from hub_common.errors import NotFound
from hub_common.http import PageQuery
from hub_notifications.adapters.messages import MessageRepository
from hub_notifications.domain.messages import Message


class InboxService:
    def __init__(self, messages: MessageRepository, *, clock: Clock) -> None:
        self.messages = messages
        self.clock = clock

    async def page(self, person_id: str, paging: PageQuery) -> tuple[list[Message], str | None]:
        return await self.messages.inbox(person_id, paging)

    async def unread_count(self, person_id: str) -> int:
        return await self.messages.unread_count(person_id)

    async def mark_read(self, person_id: str, message_id: str) -> None:
        if not await self.messages.mark_read(person_id, message_id, self.clock()):
            raise NotFound(f"no message {message_id} in your inbox")

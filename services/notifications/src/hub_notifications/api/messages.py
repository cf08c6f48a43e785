"""Message status for staff: one message, an event's messages, a hub's failed messages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hub_common.http import Paging, StaffForHub
from hub_common.pagination import Page
from hub_notifications.api.deps import Messages, Staff
from hub_notifications.api.schemas import FailureStatus, MessageStatus

router = APIRouter(prefix="/v1", tags=["messages"])


@router.get("/messages/{message_id}", summary="Delivery status of one message")
async def get_message(message_id: str, principal: Staff, messages: Messages) -> MessageStatus:
    return MessageStatus.of(await messages.get(principal, message_id))


@router.get("/events/{event_id}/messages", summary="Every message an event caused")
async def messages_for_event(event_id: str, principal: Staff, messages: Messages) -> list[MessageStatus]:
    return [MessageStatus.of(m) for m in await messages.for_event(principal, event_id)]


@router.get(
    "/hubs/{hub_id}/messages",
    summary="A hub's messages that failed to deliver (permanent or technical failures), newest first",
)
async def hub_failures(
    hub_id: str,
    principal: StaffForHub,
    page: Paging,
    messages: Messages,
    status: Annotated[list[FailureStatus] | None, Query(description="default: both failure statuses")] = None,
) -> Page[MessageStatus]:
    items, next_cursor = await messages.failures_in_hub(hub_id, status, page)
    return Page(items=[MessageStatus.of(m) for m in items], next_cursor=next_cursor)

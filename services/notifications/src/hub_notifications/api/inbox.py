"""The signed-in person's in-app inbox."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub_common.http import Caller, Paging
from hub_common.pagination import Page
from hub_notifications.api.deps import Inbox
from hub_notifications.api.schemas import InboxItem, UnreadCount

router = APIRouter(prefix="/v1/inbox", tags=["inbox"])


@router.get("", summary="Your in-app messages, newest first")
async def inbox(principal: Caller, page: Paging, inbox: Inbox) -> Page[InboxItem]:
    items, next_cursor = await inbox.page(principal.sub, page)
    return Page(items=[InboxItem.of(m) for m in items], next_cursor=next_cursor)


@router.get("/unread-count", summary="How many in-app messages you have not read")
async def unread(principal: Caller, inbox: Inbox) -> UnreadCount:
    return UnreadCount(unread=await inbox.unread_count(principal.sub))


@router.post("/{message_id}/read", status_code=204, summary="Mark a message as read")
async def mark_read(message_id: str, principal: Caller, inbox: Inbox) -> Response:
    await inbox.mark_read(principal.sub, message_id)
    return Response(status_code=204)

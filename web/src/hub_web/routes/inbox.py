"""The inbox: a signed-in volunteer's or staff member's in-app messages from the notifications service,
newest first, a page at a time, each marked as read with a form (no JavaScript needed)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from hub_web.clients import ServiceProblem
from hub_web.deps import Form, NeedsSignIn, WebDep
from hub_web.web import Web

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
MAX_CURSOR = 500


async def inbox_token(request: Request, web: Web) -> str:
    token = await web.inbox_token(request)
    if token is None:  # visitors and residents have no inbox here: signing in gives one
        raise NeedsSignIn("/inbox")
    return token


def inbox_address(cursor: str | None) -> str:
    return f"/inbox?cursor={quote(cursor, safe='')}" if cursor else "/inbox"


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(
    request: Request, web: WebDep, cursor: Annotated[str | None, Query(max_length=MAX_CURSOR)] = None
) -> HTMLResponse:
    page = await web.services.notifications.inbox(await inbox_token(request, web), limit=PAGE_SIZE, cursor=cursor)
    return await web.render(
        request,
        "inbox.html",
        title="Your messages",
        items=page["items"],
        next_cursor=page.get("next_cursor"),
        cursor=cursor or "",
    )


@router.post("/inbox/{message_id}/read")
async def mark_read(request: Request, message_id: str, web: WebDep, form: Form) -> Response:
    token = await inbox_token(request, web)
    cursor = form.one("cursor")[:MAX_CURSOR] or None
    outcome = "Message marked as read."
    try:
        await web.services.notifications.mark_read(token, message_id)
    except ServiceProblem as problem:
        if problem.status != 404:  # gone since the page was shown: its retention period ended
            raise
        outcome = "We could not find that message. It may have been removed."
    web.session(request).set_flash(outcome)
    return web.redirect(inbox_address(cursor))

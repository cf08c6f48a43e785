"""Request dependencies: the app runtime, the CSRF-checked form, and who may see a page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from hub_web.forms import FormData
from hub_web.session import Session
from hub_web.web import Web


class CsrfFailed(Exception):
    """A form came without this session's CSRF token (forged, or from an expired session)."""


class NeedsSignIn(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class NotAllowed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def get_web(request: Request) -> Web:
    return request.app.state.web


def get_session(request: Request) -> Session:
    return request.state.session


async def checked_form(request: Request) -> FormData:
    form = FormData((k, v) for k, v in (await request.form()).multi_items() if isinstance(v, str))
    if not get_session(request).csrf_ok(form.one("csrf_token")):
        raise CsrfFailed()
    return form


def signed_in_staff(request: Request) -> Session:
    session = get_session(request)
    if not session.is_staff:
        raise NeedsSignIn(quote(request.url.path))
    return session


def require_hub(session: Session, hub_id: str) -> None:
    if not session.can_manage(hub_id):
        raise NotAllowed("Your account does not manage this hub.")


WebDep = Annotated[Web, Depends(get_web)]
SessionDep = Annotated[Session, Depends(get_session)]
Form = Annotated[FormData, Depends(checked_form)]
Staff = Annotated[Session, Depends(signed_in_staff)]

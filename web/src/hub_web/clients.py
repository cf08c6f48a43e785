"""Thin HTTP clients of the four services: one ``httpx.AsyncClient`` each, problem+json mapped to exceptions.

The web app owns no data: every page is built from these calls, made with the signed-in person's
short-lived token, so the services stay the only source of truth and do every permission check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

if TYPE_CHECKING:
    from hub_web.participation_client import ParticipationClient

UNAVAILABLE = {502, 503, 504}


@dataclass
class ServiceProblem(Exception):
    """A 4xx from a service (RFC 9457): what went wrong and, for 422, which fields."""

    service: str
    status: int
    title: str
    detail: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.service} {self.status}: {self.detail}"


@dataclass
class ServiceDown(Exception):
    """A service did not answer or said it is unavailable: the person sees a friendly 'try again'."""

    service: str
    reason: str

    def __str__(self) -> str:
        return f"{self.service} unavailable: {self.reason}"


def _problem(service: str, response: httpx.Response) -> ServiceProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    known = {"type", "title", "status", "detail", "instance", "errors", "trace_id"}
    return ServiceProblem(
        service=service,
        status=response.status_code,
        title=str(body.get("title") or response.reason_phrase),
        detail=str(body.get("detail") or body.get("title") or response.reason_phrase),
        errors=[e for e in body.get("errors") or [] if isinstance(e, dict)],
        extra={k: v for k, v in body.items() if k not in known},
    )


def seg(value: str) -> str:
    """One path segment, escaped: ids come from people's browsers."""
    return quote(str(value), safe="")


class ServiceClient:
    def __init__(
        self, name: str, base_url: str, *, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None
    ):
        self.name = name
        self.http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport)

    async def close(self) -> None:
        await self.http.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        params: dict[str, Any] | list[tuple[str, Any]] | None = None,
        etag: str | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if etag:
            headers["If-Match"] = etag
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if isinstance(params, dict):
            params = {k: v for k, v in params.items() if v is not None and v != ""}
        try:
            response = await self.http.request(method, path, headers=headers, json=json, files=files, params=params)
        except httpx.TransportError as exc:
            raise ServiceDown(self.name, type(exc).__name__) from exc
        if response.status_code in UNAVAILABLE:
            raise ServiceDown(self.name, f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise _problem(self.name, response)
        return response

    async def get(self, path: str, **kwargs: Any) -> Any:
        return (await self.call("GET", path, **kwargs)).json()

    async def get_with_etag(self, path: str, **kwargs: Any) -> tuple[Any, str | None]:
        response = await self.call("GET", path, **kwargs)
        return response.json(), response.headers.get("ETag")

    async def send(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(method, path, **kwargs)
        return response.json() if response.content else None


class IssuesClient(ServiceClient):
    async def hubs(self) -> list[dict[str, Any]]:
        return (await self.get("/v1/hubs", params={"limit": 200}))["items"]

    async def hub(self, hub_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/hubs/{seg(hub_id)}")

    async def locate(self, lat: float, lon: float) -> str | None:
        return (await self.get("/v1/hubs/locate", params={"lat": lat, "lon": lon}))["hub_id"]

    async def places(self, query: str, limit: int = 5) -> list[dict[str, Any]]:
        """Streets, landmarks and postcodes matching what a resident typed, with their positions."""
        return await self.get("/v1/places", params={"q": query, "limit": limit})

    async def categories(self, hub_id: str) -> list[dict[str, Any]]:
        items = (await self.get(f"/v1/hubs/{seg(hub_id)}/services", params={"limit": 200}))["items"]
        return [c for c in items if c.get("active", True)]

    async def category(self, hub_id: str, code: str) -> dict[str, Any]:
        return await self.get(f"/v1/hubs/{seg(hub_id)}/services/{seg(code)}")

    async def report(self, token: str | None, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return await self.send("POST", "/v1/issues", token=token, json=body, idempotency_key=idempotency_key)

    async def upload_photos(self, token: str, files: list[tuple[str, bytes, str]], idempotency_key: str) -> list[str]:
        """Photos for the report or update sent next (``files``: name, content, declared type); their ids."""
        parts = [("photos", file) for file in files]
        uploaded = await self.send("POST", "/v1/photos", token=token, files=parts, idempotency_key=idempotency_key)
        return [item["id"] for item in uploaded["items"]]

    async def hide_photo(self, token: str, photo_id: str, reason: str) -> dict[str, Any]:
        """Staff: hide a photo from the public (their hub's staff still see it, with the reason)."""
        return await self.send("POST", f"/v1/photos/{seg(photo_id)}/hide", token=token, json={"reason": reason})

    async def photo(self, photo_id: str, thumbnail: bool, token: str | None = None) -> httpx.Response:
        """A photo's bytes and headers as the issues service serves them."""
        return await self.call("GET", f"/v1/photos/{seg(photo_id)}" + ("/thumbnail" if thumbnail else ""), token=token)

    async def issues(self, params: list[tuple[str, Any]], token: str | None = None) -> dict[str, Any]:
        return await self.get("/v1/issues", params=params, token=token)

    async def hub_issues(self, token: str, hub_id: str, params: list[tuple[str, Any]]) -> dict[str, Any]:
        """Staff: one page of a hub's issues, filtered and searched (``status``, ``service_code``,
        ``overdue``, ``assignee``, ``q``, ``limit``, ``cursor``)."""
        return await self.get(f"/v1/hubs/{seg(hub_id)}/issues", params=params, token=token)

    async def issue(self, issue_id: str, token: str | None = None) -> tuple[dict[str, Any], str | None]:
        return await self.get_with_etag(f"/v1/issues/{seg(issue_id)}", token=token)

    async def transition(self, token: str, issue_id: str, body: dict[str, Any], etag: str | None) -> dict[str, Any]:
        return await self.send("POST", f"/v1/issues/{seg(issue_id)}/transitions", token=token, json=body, etag=etag)

    async def publish_update(self, token: str, issue_id: str, note: str) -> dict[str, Any]:
        return await self.send("POST", f"/v1/issues/{seg(issue_id)}/updates", token=token, json={"public_note": note})

    async def support(self, token: str, issue_id: str) -> dict[str, Any]:
        return await self.send("PUT", f"/v1/issues/{seg(issue_id)}/support", token=token)

    async def feedback(self, token: str, issue_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.send("POST", f"/v1/issues/{seg(issue_id)}/feedback", token=token, json=body)

    async def forget_me(self, token: str) -> None:
        await self.call("DELETE", "/v1/residents/me", token=token)

    async def priorities(self, hub_id: str, limit: int = 10) -> list[dict[str, Any]]:
        return (await self.get(f"/v1/hubs/{seg(hub_id)}/priorities", params={"limit": limit}))["items"]

    async def you_said_we_did(self, hub_id: str, limit: int = 20, cursor: str | None = None) -> dict[str, Any]:
        return await self.get(f"/v1/hubs/{seg(hub_id)}/you-said-we-did", params={"limit": limit, "cursor": cursor})

    async def outcomes(self, hub_id: str, kind: str, limit: int = 10, cursor: str | None = None) -> dict[str, Any]:
        """What residents asked for through the participation service and the hub did, one kind
        (``ideas``, ``forum-actions`` or ``funded-projects``), latest first."""
        return await self.get(
            f"/v1/hubs/{seg(hub_id)}/you-said-we-did/{seg(kind)}", params={"limit": limit, "cursor": cursor}
        )

    async def stats(self, hub_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/hubs/{seg(hub_id)}/stats")


class VolunteersClient(ServiceClient):
    async def skills(self) -> list[dict[str, Any]]:
        return (await self.get("/v1/skills", params={"limit": 200}))["items"]

    async def roles(self, hub_id: str) -> list[dict[str, Any]]:
        return (await self.get("/v1/roles", params={"hub_id": hub_id, "limit": 200}))["items"]

    async def role(self, role_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/roles/{seg(role_id)}")

    async def shifts(
        self, hub_id: str, limit: int = 50, token: str | None = None, starts_from: datetime | None = None
    ) -> list[dict[str, Any]]:
        """A hub's published shifts in time order, starting from ``starts_from`` (the service: now)."""
        params = {"hub_id": hub_id, "limit": limit, "from": starts_from.isoformat() if starts_from else None}
        return (await self.get("/v1/shifts", params=params, token=token))["items"]

    async def shift(self, shift_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/shifts/{seg(shift_id)}")

    async def register(self, token: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return await self.send("POST", "/v1/volunteers", token=token, json=body, idempotency_key=idempotency_key)

    async def me(self, token: str) -> tuple[dict[str, Any], str | None]:
        return await self.get_with_etag("/v1/volunteers/me", token=token)

    async def request_sign_in_link(self, email: str) -> None:
        await self.send("POST", "/v1/volunteers/sign-in-links", json={"email": email})

    async def volunteer(self, token: str, volunteer_id: str) -> tuple[dict[str, Any], str | None]:
        return await self.get_with_etag(f"/v1/volunteers/{seg(volunteer_id)}", token=token)

    async def update(self, token: str, volunteer_id: str, body: dict[str, Any], etag: str | None) -> dict[str, Any]:
        return await self.send("PATCH", f"/v1/volunteers/{seg(volunteer_id)}", token=token, json=body, etag=etag)

    async def change_status(self, token: str, volunteer_id: str, to: str, etag: str | None) -> dict[str, Any]:
        path = f"/v1/volunteers/{seg(volunteer_id)}/status"
        return await self.send("POST", path, token=token, json={"to": to}, etag=etag)

    async def record_check(self, token: str, volunteer_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.send("POST", f"/v1/volunteers/{seg(volunteer_id)}/checks", token=token, json=body)

    async def pipeline(self, token: str, hub_id: str, status: str = "applicant") -> list[dict[str, Any]]:
        params = {"hub_id": hub_id, "status": status, "limit": 100}
        return (await self.get("/v1/volunteers", params=params, token=token))["items"]

    async def volunteers_page(
        self, token: str, hub_id: str, status: str, limit: int = 25, cursor: str | None = None
    ) -> dict[str, Any]:
        """Staff: one page of a hub's volunteers of one status, oldest first."""
        params = {"hub_id": hub_id, "status": status, "limit": limit, "cursor": cursor}
        return await self.get("/v1/volunteers", params=params, token=token)

    async def sign_up(self, token: str, shift_id: str, idempotency_key: str, volunteer_id: str | None = None) -> Any:
        body = {"volunteer_id": volunteer_id} if volunteer_id else {}
        path = f"/v1/shifts/{seg(shift_id)}/signups"
        return await self.send("POST", path, token=token, json=body, idempotency_key=idempotency_key)

    async def cancel_signup(self, token: str, shift_id: str, volunteer_id: str) -> dict[str, Any]:
        path = f"/v1/shifts/{seg(shift_id)}/signups/{seg(volunteer_id)}/cancel"
        return await self.send("POST", path, token=token)

    async def signups(self, token: str, volunteer_id: str, since: datetime | None = None) -> list[dict[str, Any]]:
        path = f"/v1/volunteers/{seg(volunteer_id)}/signups"
        params = {"limit": 100, "since": since.isoformat() if since else None}
        return (await self.get(path, token=token, params=params))["items"]

    async def recommended(self, token: str, volunteer_id: str) -> list[dict[str, Any]]:
        return await self.get(f"/v1/volunteers/{seg(volunteer_id)}/recommended-shifts", token=token)

    async def totals(self, token: str, volunteer_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/volunteers/{seg(volunteer_id)}/totals", token=token)

    async def awards(self, token: str, volunteer_id: str) -> list[dict[str, Any]]:
        return (await self.get(f"/v1/volunteers/{seg(volunteer_id)}/awards", token=token))["items"]

    async def hours(self, token: str, volunteer_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The volunteer's logged hours, latest worked first, with their status (and a rejection's reason)."""
        return (await self.get(f"/v1/volunteers/{seg(volunteer_id)}/hours", token=token, params={"limit": limit}))[
            "items"
        ]

    async def log_hours(
        self, token: str, volunteer_id: str, body: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        path = f"/v1/volunteers/{seg(volunteer_id)}/hours"
        return await self.send("POST", path, token=token, json=body, idempotency_key=idempotency_key)

    async def hours_queue(self, token: str, hub_id: str, status: str = "pending") -> list[dict[str, Any]]:
        """Staff: a hub's hours of one status, oldest first, each with the volunteer's name."""
        params = {"hub_id": hub_id, "status": status, "limit": 200}
        return (await self.get("/v1/hours", token=token, params=params))["items"]

    async def approve_hours(self, token: str, hours_id: str) -> dict[str, Any]:
        return await self.send("POST", f"/v1/hours/{seg(hours_id)}/approve", token=token)

    async def reject_hours(self, token: str, hours_id: str, reason: str | None) -> dict[str, Any]:
        return await self.send("POST", f"/v1/hours/{seg(hours_id)}/reject", token=token, json={"reason": reason})

    async def give_award(
        self, token: str, volunteer_id: str, body: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        path = f"/v1/volunteers/{seg(volunteer_id)}/awards"
        return await self.send("POST", path, token=token, json=body, idempotency_key=idempotency_key)

    async def add_accreditation(self, token: str, volunteer_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.send("POST", f"/v1/volunteers/{seg(volunteer_id)}/accreditations", token=token, json=body)

    async def check_in(self, token: str, shift_id: str, volunteer_id: str) -> dict[str, Any]:
        path = f"/v1/shifts/{seg(shift_id)}/signups/{seg(volunteer_id)}/check-in"
        return await self.send("POST", path, token=token)

    async def check_out(self, token: str, shift_id: str, volunteer_id: str) -> dict[str, Any]:
        path = f"/v1/shifts/{seg(shift_id)}/signups/{seg(volunteer_id)}/check-out"
        return await self.send("POST", path, token=token)

    async def recognition(self, hub_id: str, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        """A hub's public thank-you wall: awards of volunteers who agreed to be shown, first name only."""
        return await self.get("/v1/recognition", params={"hub_id": hub_id, "limit": limit, "cursor": cursor})

    async def export(self, token: str, volunteer_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/volunteers/{seg(volunteer_id)}/export", token=token)

    async def erase(self, token: str, volunteer_id: str) -> dict[str, Any]:
        return await self.send("POST", f"/v1/volunteers/{seg(volunteer_id)}/erase", token=token)

    async def roster(self, token: str, shift_id: str, status: str = "confirmed") -> list[dict[str, Any]]:
        path = f"/v1/shifts/{seg(shift_id)}/signups"
        return (await self.get(path, token=token, params={"status": status, "limit": 200}))["items"]

    async def matches(self, token: str, shift_id: str) -> list[dict[str, Any]]:
        return await self.get(f"/v1/shifts/{seg(shift_id)}/matches", token=token, params={"limit": 10})


class AssetsClient(ServiceClient):
    async def search(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self.get("/v1/assets", params=params)

    async def asset(self, asset_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/assets/{seg(asset_id)}")

    async def hub_bookings(self, token: str, hub_id: str, status: str = "requested") -> list[dict[str, Any]]:
        params = {"hub_id": hub_id, "status": status, "limit": 100}
        return (await self.get("/v1/bookings", token=token, params=params))["items"]

    async def room_bookings(self, token: str, room_id: str, status: str = "confirmed") -> list[dict[str, Any]]:
        params = {"room_id": room_id, "status": status, "limit": 200}
        return (await self.get("/v1/bookings", token=token, params=params))["items"]

    async def booking(self, token: str, booking_id: str) -> tuple[dict[str, Any], str | None]:
        return await self.get_with_etag(f"/v1/bookings/{seg(booking_id)}", token=token)

    async def decide_booking(self, token: str, booking_id: str, action: str, etag: str | None, reason: str | None):
        path = f"/v1/bookings/{seg(booking_id)}/{seg(action)}"
        return await self.send("POST", path, token=token, json={"reason": reason} if reason else None, etag=etag)

    async def loans(self, token: str, hub_id: str, status: str = "checked_out") -> list[dict[str, Any]]:
        params = {"hub_id": hub_id, "status": status, "limit": 200}
        return (await self.get("/v1/loans", token=token, params=params))["items"]

    # -- pages of the staff console, and residents' requests --------------------------------------

    async def bookings_page(
        self, token: str, hub_id: str, status: str, limit: int = 25, cursor: str | None = None
    ) -> dict[str, Any]:
        params = {"hub_id": hub_id, "status": status, "limit": limit, "cursor": cursor}
        return await self.get("/v1/bookings", token=token, params=params)

    async def loans_page(
        self, token: str, hub_id: str, status: str, limit: int = 25, cursor: str | None = None
    ) -> dict[str, Any]:
        params = {"hub_id": hub_id, "status": status, "limit": limit, "cursor": cursor}
        return await self.get("/v1/loans", token=token, params=params)

    async def loan(self, token: str, loan_id: str) -> tuple[dict[str, Any], str | None]:
        return await self.get_with_etag(f"/v1/loans/{seg(loan_id)}", token=token)

    async def decide_loan(self, token: str, loan_id: str, action: str, etag: str | None, reason: str | None):
        """Staff approve or decline a resident's request to borrow."""
        path = f"/v1/loans/{seg(loan_id)}/{seg(action)}"
        return await self.send("POST", path, token=token, json={"reason": reason} if reason else None, etag=etag)

    async def ask_to_borrow(
        self, token: str, asset_id: str, body: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        path = f"/v1/equipment/{seg(asset_id)}/loan-requests"
        return await self.send("POST", path, token=token, json=body, idempotency_key=idempotency_key)

    async def ask_to_book(self, token: str, room_id: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        path = f"/v1/rooms/{seg(room_id)}/bookings"
        return await self.send("POST", path, token=token, json=body, idempotency_key=idempotency_key)

    async def my_bookings(self, token: str) -> list[dict[str, Any]]:
        return (await self.get("/v1/bookings", token=token, params={"limit": 50}))["items"]

    async def my_loans(self, token: str) -> list[dict[str, Any]]:
        return (await self.get("/v1/loans", token=token, params={"limit": 50}))["items"]


class NotificationsClient(ServiceClient):
    async def preferences(self, token: str) -> tuple[dict[str, Any], str | None]:
        return await self.get_with_etag("/v1/preferences/me", token=token)

    async def save_preferences(self, token: str, body: dict[str, Any], etag: str | None) -> dict[str, Any]:
        return await self.send("PUT", "/v1/preferences/me", token=token, json=body, etag=etag)

    async def inbox(self, token: str, limit: int = 20, cursor: str | None = None) -> dict[str, Any]:
        return await self.get("/v1/inbox", token=token, params={"limit": limit, "cursor": cursor})

    async def join_councillor_alerts(self, token: str, hub_id: str, display_name: str, email: str) -> None:
        body = {"display_name": display_name, "email": email}
        await self.send("PUT", f"/v1/hubs/{seg(hub_id)}/councillor-alerts/me", token=token, json=body)

    async def unread_count(self, token: str) -> int:
        return (await self.get("/v1/inbox/unread-count", token=token))["unread"]

    async def mark_read(self, token: str, message_id: str) -> None:
        await self.call("POST", f"/v1/inbox/{seg(message_id)}/read", token=token)

    # -- privacy requests ------------------------------------------------------------------------

    async def ask_privacy(self, kind: str, email: str) -> None:
        await self.call("POST", "/v1/privacy/self-requests", json={"kind": kind, "email": email})

    async def confirm_privacy(self, token: str, confirmation_id: str) -> dict[str, Any]:
        return await self.send("POST", f"/v1/privacy/confirmations/{seg(confirmation_id)}", token=token)

    async def privacy_export(self, token: str, request_id: str) -> bytes:
        return (await self.call("GET", f"/v1/privacy/requests/{seg(request_id)}/export", token=token)).content

    async def privacy_requests(self, token: str, status: str = "open") -> list[dict[str, Any]]:
        params = {"status": status, "limit": 200}
        return (await self.get("/v1/privacy/requests", token=token, params=params))["items"]

    async def privacy_request(self, token: str, request_id: str) -> dict[str, Any]:
        return await self.get(f"/v1/privacy/requests/{seg(request_id)}", token=token)

    async def open_privacy_request(self, token: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return await self.send("POST", "/v1/privacy/requests", token=token, json=body, idempotency_key=idempotency_key)

    async def failed_messages(self, token: str, hub_id: str) -> list[dict[str, Any]]:
        return (await self.get(f"/v1/hubs/{seg(hub_id)}/messages", token=token, params={"limit": 50}))["items"]

    async def paused_webhooks(self, token: str, hub_id: str) -> list[dict[str, Any]]:
        return (await self.get(f"/v1/hubs/{seg(hub_id)}/webhooks", token=token, params={"limit": 50}))["items"]


@dataclass
class Services:
    volunteers: VolunteersClient
    issues: IssuesClient
    assets: AssetsClient
    notifications: NotificationsClient
    participation: ParticipationClient

    async def close(self) -> None:
        for client in (self.volunteers, self.issues, self.assets, self.notifications, self.participation):
            await client.close()

"""Partner webhook subscriptions: which events a partner gets, and where they may be sent.

Signing follows the Standard Webhooks spec (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``), so partners verify with any of its libraries.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from hub_common.geo import distance_m
from hub_notifications.domain.messages import Status

# A subscription that keeps failing is paused rather than retried for ever; staff or the partner resume it.
PAUSE_AFTER_FAILURES = 15
# After a secret rotation the old secret keeps signing (alongside the new one) for this long.
OLD_SECRET_GRACE_HOURS = 24


class WebhookUrlError(ValueError):
    pass


@dataclass(frozen=True)
class NearFilter:
    lat: float
    lon: float
    radius_m: float


class SigningSecret(BaseModel):
    model_config = ConfigDict(frozen=True)

    secret: str  # "whsec_<base64>"
    created_at: datetime
    expires_at: datetime | None = None  # set when a newer secret replaced it


class Subscription(BaseModel):
    """A partner's endpoint and the events it takes. Only the secrets sign; they are shown once."""

    model_config = ConfigDict(frozen=True)

    id: str
    partner: str
    url: str
    description: str | None = None
    event_types: tuple[str, ...] = ()  # empty: every public event type
    hub_ids: tuple[str, ...] = ()  # empty: every hub
    categories: tuple[str, ...] = ()  # service codes / categories; empty: all
    near: NearFilter | None = None
    status: str = "active"  # or "paused" (after repeated failures, until resumed)
    consecutive_failures: int = 0
    secrets: tuple[SigningSecret, ...] = ()
    created_at: datetime | None = None
    paused_at: datetime | None = None
    version: int = 1

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets that sign a delivery now: the newest, and the previous ones in their grace period."""
        return [s.secret for s in self.secrets if s.expires_at is None or s.expires_at > now]

    def with_new_secret(self, secret: str, now: datetime) -> Subscription:
        """``secret`` signs from now on; the current ones keep signing for a grace period, expired ones go."""
        grace = now + timedelta(hours=OLD_SECRET_GRACE_HOURS)
        kept = [
            s.model_copy(update={"expires_at": s.expires_at or grace})
            for s in self.secrets
            if s.expires_at is None or s.expires_at > now
        ]
        return self.model_copy(update={"secrets": (SigningSecret(secret=secret, created_at=now), *kept)})

    def resumed(self) -> Subscription:
        return self.model_copy(update={"status": "active", "consecutive_failures": 0})


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


DeliveryStatus = Status | Literal["held"]  # held: waits while its subscription is paused


class DeliveryAttempt(BaseModel):
    status: DeliveryStatus
    at: datetime
    reason: str | None = None
    http: int | None = None  # the endpoint's answer, when it gave one


class Delivery(BaseModel):
    """One event for one subscription: signed and sent by the worker, retried, logged for the partner."""

    id: str  # message_id(event source, event id, subscription, "webhook")
    subscription_id: str
    event_id: str
    event_type: str
    payload: str  # the structured-mode CloudEvent, as sent
    status: DeliveryStatus
    reason: str | None = None
    attempts: int = 0
    created_at: datetime
    updated_at: datetime | None = None
    next_attempt_at: datetime | None = None
    history: list[DeliveryAttempt] = Field(default_factory=list)


def matches(sub: Subscription, event_type: str, hub_id: str | None, data: dict[str, Any]) -> bool:
    if sub.status != "active":
        return False
    if sub.event_types and event_type not in sub.event_types:
        return False
    if sub.hub_ids and hub_id not in sub.hub_ids:
        return False
    if sub.categories and (data.get("service_code") or data.get("category")) not in sub.categories:
        return False
    if sub.near is not None:
        location = data.get("location")
        if not isinstance(location, dict) or "lat" not in location or "lon" not in location:
            return False
        if distance_m(sub.near.lat, sub.near.lon, location["lat"], location["lon"]) > sub.near.radius_m:
            return False
    return True


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse URLs a partner must not make us call: odd schemes, credentials, internal addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        raise WebhookUrlError("the URL must start with https://")
    if parts.scheme == "http" and not allow_private:
        raise WebhookUrlError("webhooks are sent over https only")
    if parts.username or parts.password:
        raise WebhookUrlError("the URL must not contain a user name or password")
    host = parts.hostname
    if not host:
        raise WebhookUrlError("the URL has no host")
    if not allow_private and (host == "localhost" or host.endswith(".localhost") or is_internal_address(host)):
        raise WebhookUrlError("the URL points at a private, loopback or reserved address")


def is_internal_address(host: str) -> bool:
    """True for an IP literal that is not a public internet address."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name; checked again against what it resolves to when sending
    return not address.is_global or address.is_multicast

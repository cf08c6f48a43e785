"""Partner webhook subscriptions: which events a partner gets, and where they may be sent.

Signing follows the Standard Webhooks spec (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``), so partners verify with any of its libraries.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from hub_common.geo import distance_m

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


@dataclass(frozen=True)
class Subscription:
    id: str
    partner: str
    url: str
    event_types: tuple[str, ...] = ()  # empty: every public event type
    hub_ids: tuple[str, ...] = ()  # empty: every hub
    categories: tuple[str, ...] = ()  # service codes / categories; empty: all
    near: NearFilter | None = None
    status: str = "active"
    consecutive_failures: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


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

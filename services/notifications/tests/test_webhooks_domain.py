"""Webhook filters, URL policy and signatures a partner can verify with the standardwebhooks library."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hub_notifications.domain.webhooks import (
    NearFilter,
    Subscription,
    WebhookUrlError,
    check_url,
    distance_m,
    matches,
    new_secret,
)

REPORTED = "hub.issues.issue.reported.v1"
DATA = {"hub_id": "hub-northfield", "service_code": "litter", "location": {"lat": 53.8100, "lon": -1.5500}}


def sub(**overrides) -> Subscription:
    return Subscription(id="s1", partner="p", url="https://partner.example/hook", **overrides)


def test_an_unfiltered_subscription_takes_every_event() -> None:
    assert matches(sub(), REPORTED, "hub-northfield", DATA)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"event_types": (REPORTED,)}, True),
        ({"event_types": ("hub.issues.issue.fixed.v1",)}, False),
        ({"hub_ids": ("hub-northfield",)}, True),
        ({"hub_ids": ("hub-riverside",)}, False),
        ({"categories": ("litter",)}, True),
        ({"categories": ("graffiti",)}, False),
        ({"near": NearFilter(53.8105, -1.5500, 100)}, True),  # ~56 m away
        ({"near": NearFilter(53.8200, -1.5500, 100)}, False),  # ~1.1 km away
        ({"status": "paused"}, False),
    ],
)
def test_filters(filters, expected) -> None:
    assert matches(sub(**filters), REPORTED, "hub-northfield", DATA) is expected


def test_a_distance_filter_skips_events_without_a_location() -> None:
    assert not matches(sub(near=NearFilter(53.81, -1.55, 1000)), REPORTED, "hub-northfield", {"hub_id": "x"})


def test_distance_is_in_metres() -> None:
    assert distance_m(53.81, -1.55, 53.82, -1.55) == pytest.approx(1112, rel=0.01)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://partner.example/hook",
        "http://partner.example/hook",  # plain http only where private addresses are allowed
        "https://user:pw@partner.example/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost:8443/hook",
        "https:///nohost",
    ],
)
def test_urls_we_must_not_call_are_refused(url: str) -> None:
    with pytest.raises(WebhookUrlError):
        check_url(url, allow_private=False)


def test_the_operator_can_allow_local_endpoints() -> None:
    check_url("http://127.0.0.1:9000/hook", allow_private=True)
    check_url("https://partner.example/hook", allow_private=False)
    with pytest.raises(WebhookUrlError):
        check_url("https://user:pw@127.0.0.1/hook", allow_private=True)  # credentials never


def test_our_signature_verifies_with_the_standard_webhooks_library_and_fails_when_tampered() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    payload = json.dumps({"specversion": "1.0", "id": "e1", "data": {"a": 1}})
    now = datetime.now(UTC)
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign("msg_1", now, payload),
    }
    assert Webhook(secret).verify(payload, headers)["id"] == "e1"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(payload.replace("1", "2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(payload, headers)

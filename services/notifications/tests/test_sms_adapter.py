"""The SMS adapter against a real local HTTP endpoint standing in for the provider."""

from __future__ import annotations

import json

import pytest

from hub_notifications.adapters.sms import HttpSmsSender
from hub_notifications.domain.messages import DeliveryError


async def test_a_message_is_posted_with_the_key_and_a_reference(http_receiver) -> None:
    with http_receiver() as provider:
        await HttpSmsSender(provider.url, "key-123").send(to="+447700900123", body="Shift cancelled", message_id="m1")
        [(headers, body)] = provider.requests
    assert headers["authorization"] == "Bearer key-123"
    assert json.loads(body) == {"to": "+447700900123", "body": "Shift cancelled", "reference": "m1"}


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (401, True), (429, False), (503, False)])
async def test_provider_refusals_are_classified(http_receiver, status: int, permanent: bool) -> None:
    with http_receiver([status]) as provider, pytest.raises(DeliveryError) as raised:
        await HttpSmsSender(provider.url, "k").send(to="+447700900123", body="x", message_id="m")
    assert raised.value.permanent is permanent


async def test_without_a_provider_sms_fails_permanently_and_clearly() -> None:
    with pytest.raises(DeliveryError, match="HUB_SMS_ENDPOINT") as raised:
        await HttpSmsSender("", "").send(to="+447700900123", body="x", message_id="m")
    assert raised.value.permanent

"""The signed HTTP sender of webhooks (Standard Webhooks signatures over a structured CloudEvent)."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from hub_common.clock import Clock, system_clock
from hub_notifications.domain.messages import DeliveryError
from hub_notifications.domain.webhooks import is_internal_address


class HttpWebhookSender:
    """POSTs a structured CloudEvent, signed per Standard Webhooks with every current secret."""

    def __init__(self, *, allow_private: bool, timeout_s: float = 10.0, clock: Clock = system_clock) -> None:
        self.allow_private = allow_private
        self.timeout_s = timeout_s
        self.clock = clock

    async def send(self, *, url: str, delivery_id: str, payload: str, secrets: list[str]) -> int:
        if not self.allow_private:
            await self._refuse_internal(url)
        now = self.clock()
        signatures = " ".join(Webhook(secret).sign(delivery_id, now, payload) for secret in secrets)
        headers = {
            "content-type": "application/cloudevents+json",
            "webhook-id": delivery_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signatures,
            "user-agent": "CommunityHub-Webhooks/1",
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False) as client:
                response = await client.post(url, content=payload.encode(), headers=headers)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise DeliveryError(f"could not reach the endpoint: {exc!r}", permanent=False) from exc
        if 200 <= response.status_code < 300:
            return response.status_code
        # 410 Gone, and client errors other than timeouts/rate limits, will not change on retry.
        permanent = response.status_code == 410 or (
            400 <= response.status_code < 500 and response.status_code not in (408, 425, 429)
        )
        raise DeliveryError(f"the endpoint answered {response.status_code}", permanent=permanent)

    async def _refuse_internal(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise DeliveryError(f"cannot resolve {host}: {exc}", permanent=False) from exc
        if any(is_internal_address(info[4][0]) for info in infos):
            raise DeliveryError("the endpoint's name resolves to a private address", permanent=True)

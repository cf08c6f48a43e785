"""SMS through a provider's HTTP API (configurable endpoint; one JSON POST per message)."""

from __future__ import annotations

import asyncio

import httpx

from hub_notifications.domain.messages import DeliveryError


class HttpSmsSender:
    def __init__(self, endpoint: str, api_key: str, timeout_s: float = 10.0) -> None:
        self.endpoint = endpoint
        self.api_key = api_key
        self.timeout_s = timeout_s

    async def send(self, *, to: str, body: str, message_id: str) -> None:
        if not self.endpoint:
            raise DeliveryError("no SMS provider is configured (HUB_SMS_ENDPOINT)", permanent=True)
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.post(
                    self.endpoint,
                    json={"to": to, "body": body, "reference": message_id},
                    headers={"Authorization": f"Bearer {self.api_key}"},
                )
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise DeliveryError(f"SMS provider unreachable: {exc!r}", permanent=False, unreachable=True) from exc
        if response.is_success:
            return
        permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
        raise DeliveryError(f"SMS provider answered {response.status_code}", permanent=permanent)

    async def probe(self) -> None:
        """Is the provider there? A TCP connection to its endpoint, or DeliveryError."""
        url = httpx.URL(self.endpoint)
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(url.host, port), self.timeout_s)
        except (OSError, TimeoutError) as exc:
            raise DeliveryError(f"SMS provider unreachable: {exc!r}", permanent=False, unreachable=True) from exc
        writer.close()

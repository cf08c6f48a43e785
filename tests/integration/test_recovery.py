"""Recovering without manual action: the API through a database outage, a dead letter once fixed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from asgi_lifespan import LifespanManager

from hub_cli import operations
from hub_common import envelope
from hub_common.app import create_app
from hub_common.consumer import PermanentError
from hub_common.contracts import CONTACTS_TOPIC
from hub_notifications.__main__ import DEFINITION as NOTIFICATIONS
from hub_notifications.adapters.contacts import ContactRepository
from hub_testkit.tokens import issue_token

pytestmark = pytest.mark.integration


async def test_the_api_answers_503_while_the_database_is_down_and_recovers_by_itself(
    private_infra, make_settings
) -> None:
    # Its own database process: stopping the shared one would fail every other test running on it.
    settings = make_settings(
        NOTIFICATIONS.settings_class,
        mongo_uri=private_infra.mongo_uri,
        kafka_bootstrap_servers=private_infra.kafka_bootstrap_servers,
    )
    app = create_app(NOTIFICATIONS, settings)
    token = issue_token(sub="p1", role="resident")
    headers = {"Authorization": f"Bearer {token}"}
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test", timeout=30) as client:
            assert (await client.get("/v1/inbox/unread-count", headers=headers)).status_code == 200
            await asyncio.to_thread(private_infra.stop_mongo)
            try:
                down = await client.get("/v1/inbox/unread-count", headers=headers)
                assert down.status_code == 503
                assert down.headers["content-type"] == "application/problem+json"
                assert down.headers["Retry-After"]
                await asyncio.sleep(2.5)  # past the readiness cache
                assert (await client.get("/health/ready")).status_code == 503
                assert (await client.get("/health/live")).status_code == 200
            finally:
                await asyncio.to_thread(private_infra.start_mongo)
            for _ in range(60):
                back = await client.get("/v1/inbox/unread-count", headers=headers)
                if back.status_code == 200:
                    break
                await asyncio.sleep(0.5)
            assert back.status_code == 200 and back.json() == {"unread": 0}


async def test_a_dead_letter_comes_back_once_fixed_and_the_consumer_applies_it(
    service_context, kafka, background, wait_until, unique
) -> None:
    """A contact event arrives before its contract change is deployed: dead-lettered, then replayed."""
    notifications = await service_context(NOTIFICATIONS)
    await kafka.skip_history(notifications.settings.consumer_group, list(NOTIFICATIONS.consumes))
    book = ContactRepository(notifications.db)
    calls = {"n": 0}
    handlers = notifications.components.handlers
    real = handlers["hub.issues.contact.upserted.v1"]

    async def not_fixed_yet(event, tx):
        if event.data.person_id == f"late-{unique}" and calls["n"] == 0:
            calls["n"] += 1
            raise PermanentError("the contact book cannot store this person yet")
        await real(event, tx)

    background(notifications.consumer({**handlers, "hub.issues.contact.upserted.v1": not_fixed_yet}).run)
    message = envelope.encode(
        topic=CONTACTS_TOPIC,
        event_id=str(uuid.uuid4()),
        source="/hub/issues",
        event_type="hub.issues.contact.upserted.v1",
        time=datetime.now(UTC),
        subject=f"late-{unique}",
        data={"person_id": f"late-{unique}", "display_name": "Late Arrival"},
    )
    await kafka.produce(message.topic, message.value, key=message.key, headers=message.headers)

    def ours(letters):
        return [letter for letter in letters if letter.header("ce_subject") == f"late-{unique}"]

    async def dead_letters():
        return ours(await operations.read_dead_letters(kafka.bootstrap_servers, "notifications", limit=None))

    [letter] = await wait_until(dead_letters, timeout_s=30)
    assert await book.find(f"late-{unique}") is None

    # The cause is fixed (the handler now stores it); the operator replays the dead letter.
    await operations.replay(kafka.bootstrap_servers, [letter])
    contact = await wait_until(lambda: book.find(f"late-{unique}"), timeout_s=30)
    assert contact.display_name == "Late Arrival"
    assert calls["n"] == 1

"""The repositories' own promises, on the real database: documents as the worker and the API expect
them, and writes that never undo each other."""

from __future__ import annotations

from datetime import UTC, datetime

from hub_common.sealed import Sealer
from hub_notifications.__main__ import DEFINITION
from hub_notifications.adapters.messages import MessageRepository
from hub_notifications.adapters.preferences import PreferencesRepository
from hub_notifications.adapters.subscriptions import SubscriptionRepository
from hub_notifications.domain.messages import Message, StatusChange
from hub_notifications.domain.preferences import Preferences
from hub_notifications.domain.webhooks import SigningSecret, Subscription, new_secret


def planned(message_id: str) -> Message:
    now = datetime.now(UTC).replace(microsecond=0)
    return Message(
        id=message_id,
        event_id="ev-1",
        event_source="/hub/issues",
        event_type="hub.issues.issue.reported.v1",
        person_id="p1",
        channel="email",
        message_type="issue_acknowledgement",
        category="issue_updates",
        status="created",
        created_at=now,
        next_attempt_at=now,
        history=[StatusChange(status="created", at=now)],
    )


async def test_a_planned_message_is_stored_once_without_the_fields_it_gets_later(service_context) -> None:
    ctx = await service_context(DEFINITION)
    messages = MessageRepository(ctx.db)

    async def plan(tx, *planned: Message) -> None:  # staged, and written in one bulk call at the commit
        for message in planned:
            messages.add_if_absent(message, tx)

    message = planned("m1")
    await ctx.uow.run(lambda tx: plan(tx, message))
    await ctx.uow.run(lambda tx: plan(tx, message.model_copy(update={"status": "skipped"}), message))

    doc = await ctx.db["messages"].find_one({"_id": "m1"})
    assert doc["status"] == "created"  # the repeat changed nothing
    assert not {"reason", "updated_at", "subject", "body", "digest_id"} & set(doc)
    assert await messages.get("m1") == message


async def test_a_subscription_change_keeps_the_failures_the_worker_counted_meanwhile(service_context) -> None:
    ctx = await service_context(DEFINITION)
    subscriptions = repository(ctx)
    current = Subscription(id="s1", partner="p", url="https://partner.example/hook", created_at=datetime.now(UTC))
    await subscriptions.add(current)
    await subscriptions.record_result("s1", False, 15, datetime.now(UTC))  # while the partner edits

    saved = await subscriptions.save_changes(
        current, current.model_copy(update={"categories": ("litter",)}), check_version=True
    )
    assert saved is not None and saved.categories == ("litter",) and saved.version == 2
    assert saved.consecutive_failures == 1
    stale = await subscriptions.save_changes(current, current, check_version=True)
    assert stale is None  # read at version 1, stored at 2


async def test_preferences_are_stored_when_first_changed_and_then_only_over_the_version_read(service_context) -> None:
    ctx = await service_context(DEFINITION)
    preferences = PreferencesRepository(ctx.db)
    assert await preferences.of("p1") == Preferences(id="p1")  # everyone has them, at version 0
    first = Preferences(id="p1").changed({"digest": "daily"}, datetime.now(UTC))
    assert await preferences.save_version(first, 0)
    assert not await preferences.save_version(first, 0)  # someone else stored version 1 first
    second = first.changed({"opt_outs": ["shifts:*"]}, datetime.now(UTC))
    assert await preferences.save_version(second, 1)
    stored = await preferences.of("p1")
    assert (stored.version, stored.digest, stored.opt_outs) == (2, "daily", ("shifts:*",))


def repository(ctx) -> SubscriptionRepository:
    return SubscriptionRepository(ctx.db, Sealer(ctx.settings.webhook_secret_key.get_secret_value(), setting="k"))


async def test_webhook_signing_secrets_are_stored_sealed_and_read_back(service_context) -> None:
    ctx = await service_context(DEFINITION)
    subscriptions = repository(ctx)
    now = datetime.now(UTC)
    secret = new_secret()
    subscription = Subscription(
        id="s2", partner="p", url="https://partner.example/hook", created_at=now,
        secrets=(SigningSecret(secret=secret, created_at=now),),
    )  # fmt: skip
    await subscriptions.add(subscription)
    stored = await ctx.db["webhook_subscriptions"].find_one({"_id": "s2"})
    assert secret not in str(stored) and stored["secrets"][0]["secret"].startswith("gAAAA")
    assert (await subscriptions.get("s2")).signing_secrets(now) == [secret]
    # One stored before sealing began is read as it is (and sealed when next saved).
    await ctx.db["webhook_subscriptions"].update_one({"_id": "s2"}, {"$set": {"secrets.0.secret": secret}})
    assert (await subscriptions.get("s2")).signing_secrets(now) == [secret]

"""MongoDB storage of messages (``messages``): the delivery queue, status log and in-app inbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from hub_common.mongo import IndexSpec
from hub_notifications.adapters.due_work import SENDING_LEASE, DueWork
from hub_notifications.domain.messages import PENDING_STATUSES, WAITING_FOR_CONTACT, Outcome

MESSAGES = "messages"

MESSAGE_INDEXES = (
    IndexSpec(
        MESSAGES,
        (
            IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="due"),
            # Only critical messages are in it: the rest never pay for its upkeep.
            IndexModel(
                [("critical", ASCENDING), ("status", ASCENDING), ("next_attempt_at", ASCENDING)],
                name="due_critical",
                partialFilterExpression={"critical": True},
            ),
            IndexModel([("event_id", ASCENDING)], name="by_event"),
            IndexModel(
                [("person_id", ASCENDING), ("channel", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="inbox",
            ),
            IndexModel([("hub_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)], name="by_hub"),
            IndexModel([("reminder_keys", ASCENDING)], name="reminders"),
        ),
    ),
)


# 'sending' counts once its lease has passed: the worker that claimed it died.
DUE_STATUSES = ["created", "temporary_failure", "deferred", "sending"]


class MessageStore(DueWork):
    def __init__(self, db: AsyncDatabase, sending_lease: timedelta = SENDING_LEASE) -> None:
        # Critical messages (asked for, safeguarding, cancellations) go before any backlog of others.
        super().__init__(db[MESSAGES], DUE_STATUSES, sending_lease, urgent={"critical": True})

    async def add_if_absent(self, doc: dict[str, Any], session: AsyncClientSession) -> None:
        """Create the message unless its (event, recipient, channel) id exists: repeats change nothing."""
        await self.collection.update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True, session=session)

    async def retry_waiting_for_contact(self, person_id: str, now: datetime, session: AsyncClientSession) -> None:
        """A person's contact details just arrived: their messages that waited for them are due now
        (the event that planned a message can overtake the contact on its own topic)."""
        await self.collection.update_many(
            {"person_id": person_id, "status": "temporary_failure", "reason": WAITING_FOR_CONTACT},
            {"$set": {"next_attempt_at": now}},
            session=session,
        )

    async def claim_due(self, now: datetime) -> dict[str, Any] | None:
        """Take the next message due for an attempt, if any."""
        for message_id in await self.due_ids(now, 1):
            return await self.claim(message_id, now)
        return None

    async def finish(
        self,
        message_id: str,
        outcome: Outcome,
        now: datetime,
        session: AsyncClientSession,
        rendered: dict[str, str] | None = None,
    ) -> None:
        update: dict[str, Any] = {
            "$set": {"status": outcome.status, "updated_at": now, "reason": outcome.reason},
            "$push": {"history": {"status": outcome.status, "at": now, "reason": outcome.reason}},
        }
        if outcome.next_attempt_at is not None:
            update["$set"]["next_attempt_at"] = outcome.next_attempt_at
        else:
            update["$unset"] = {"next_attempt_at": ""}
        if rendered:
            update["$set"].update(rendered)
        await self.collection.update_one({"_id": message_id, "status": "sending"}, update, session=session)

    async def get(self, message_id: str) -> dict[str, Any] | None:
        return await self.collection.find_one({"_id": message_id})

    async def for_event(self, event_id: str) -> list[dict[str, Any]]:
        return await self.collection.find({"event_id": event_id}).sort("_id", ASCENDING).to_list()

    async def cancel_pending_for(self, person_id: str, now: datetime, session: AsyncClientSession) -> None:
        """Erasure: nothing more is sent to this person, and their inbox copies are removed."""
        await self.collection.update_many(
            {"person_id": person_id, "status": {"$in": list(PENDING_STATUSES)}},
            {
                "$set": {"status": "skipped", "reason": "the person asked to be forgotten", "updated_at": now},
                "$unset": {"next_attempt_at": ""},
            },
            session=session,
        )
        await self.collection.update_many(
            {"person_id": person_id},
            {"$unset": {"subject": "", "body": "", "values": ""}, "$set": {"person_id": "erased"}},
            session=session,
        )

    async def call_off_reminders(self, key: str, now: datetime, session: AsyncClientSession) -> None:
        """A sign-up, shift or loan ended early: its pending reminders are not sent."""
        await self.collection.update_many(
            {"reminder_keys": key, "status": {"$in": ["created", "deferred", "temporary_failure"]}},
            {
                "$set": {"status": "skipped", "reason": "called off", "updated_at": now},
                "$unset": {"next_attempt_at": ""},
            },
            session=session,
        )

    async def due_digest_people(self, now: datetime, limit: int = 100) -> list[str]:
        pipeline = [
            {"$match": {"status": "digest_pending", "next_attempt_at": {"$lte": now}}},
            {"$group": {"_id": "$person_id"}},
            {"$limit": limit},
        ]
        return [doc["_id"] async for doc in await self.collection.aggregate(pipeline)]

    async def claim_digest(self, person_id: str, digest_id: str, now: datetime) -> list[dict[str, Any]]:
        """Take every due digest message of a person for one digest email."""
        await self.collection.update_many(
            {"person_id": person_id, "status": "digest_pending", "next_attempt_at": {"$lte": now}},
            {"$set": {"status": "sending", "digest_id": digest_id, "next_attempt_at": now + self.sending_lease}},
        )
        return await self.collection.find({"digest_id": digest_id}).sort("created_at", ASCENDING).to_list()

    async def delivered_since(self, person_id: str, channel: str, since: datetime) -> int:
        return await self.collection.count_documents(
            {"person_id": person_id, "channel": channel, "status": "delivered", "updated_at": {"$gte": since}}
        )

    async def unread_count(self, person_id: str) -> int:
        return await self.collection.count_documents(
            {"person_id": person_id, "channel": "inapp", "status": "delivered", "read_at": None}, hint="inbox"
        )

    async def mark_read(self, person_id: str, message_id: str, now: datetime) -> bool:
        result = await self.collection.update_one(
            {"_id": message_id, "person_id": person_id, "channel": "inapp", "status": "delivered"},
            {"$set": {"read_at": now}},
        )
        return result.matched_count == 1

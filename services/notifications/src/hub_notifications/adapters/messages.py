"""Messages (``messages``): the delivery queue, the status log staff read and the in-app inbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReplaceOne, UpdateOne

from hub_common.http import PageQuery
from hub_common.mongo import IndexSpec
from hub_common.repository import Session, to_document
from hub_common.uow import Transaction
from hub_notifications.adapters.due_work import DueWork, finish_update
from hub_notifications.domain.channels import waiting_for_channel
from hub_notifications.domain.messages import (
    FINAL_STATUSES,
    PENDING_STATUSES,
    WAITING_FOR_CONTACT,
    Message,
    Outcome,
)

MESSAGES = "messages"
CONTENT_BY_AGE = "content_by_age"

INDEXES = (
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
            # Sparse: only reminders carry reminder_keys (see to_document), so the acknowledgements
            # and alerts of a burst do not pay for an index entry each (an equality query still uses it).
            IndexModel([("reminder_keys", ASCENDING)], name="reminders", sparse=True),
            # Retention: messages still holding their content, oldest first per channel. A message
            # leaves it when its content is removed, so the index holds at most a retention period.
            IndexModel(
                [("channel", ASCENDING), ("created_at", ASCENDING)],
                name=CONTENT_BY_AGE,
                partialFilterExpression={"values": {"$exists": True}},
            ),
        ),
    ),
)

INBOX_ORDER = [("person_id", ASCENDING), ("channel", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
HUB_ORDER = [("hub_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]

# 'sending' counts once its lease has passed: the worker that claimed it died.
DUE_STATUSES = ("created", "temporary_failure", "deferred", "sending")
_WAITING = {"status": "temporary_failure", "reason": WAITING_FOR_CONTACT}
# Fields a message gets only as it goes: a planned message's document does not carry them yet.
LATER_FIELDS = ("reason", "updated_at", "subject", "body", "digest_id", "content_removed_at")


def content_held(channel: str, created_before: datetime) -> dict[str, Any]:
    """Final messages of a channel created before a time that still hold their content: a walk of the
    ``content_by_age`` index (its partial filter is implied by ``values: {$exists}``)."""
    return {
        "channel": channel,
        "created_at": {"$lt": created_before},
        "values": {"$exists": True},
        "status": {"$in": sorted(FINAL_STATUSES)},
    }


@dataclass(frozen=True)
class Attempted:
    """A message's attempt, as delivery records it: its outcome and the text it went out with."""

    message: Message
    outcome: Outcome
    rendered: dict[str, str] | None = None


class MessageRepository(DueWork[Message]):
    collection_name = MESSAGES
    model = Message
    noun = "message"
    due_statuses = DUE_STATUSES
    # Critical messages (asked for, safeguarding, cancellations) go before any backlog of others.
    urgent = {"critical": True}

    def to_document(self, item: Message) -> dict[str, Any]:
        doc = to_document(item)
        for name in (*LATER_FIELDS, "next_attempt_at"):  # a final message has no next attempt at all
            if doc[name] is None:
                del doc[name]
        if not doc["reminder_keys"]:  # not a reminder: left out of the sparse "reminders" index
            del doc["reminder_keys"]
        return doc

    # -- delivery -----------------------------------------------------------------------------

    async def finish_many(self, outcomes: Sequence[Attempted], claim: str, now: datetime, session: Session) -> None:
        """Record attempts' outcomes (and their text, once rendered) on messages this worker holds under
        ``claim``, in one bulk write. A message whose lease ran out and went to another worker is not
        touched: that worker records it."""
        # Which are still ours is read first, in this transaction, and each is then updated by its id
        # alone: another worker's claim committed after this read is a write conflict, which runs the
        # transaction again. The same guarantee as the claim in every update's filter, but SecantusDB
        # looks an id up directly only when it is the whole filter (with the claim beside it, its
        # planner tried every index first: a tenth of the store's work during a burst).
        held = await self._held_under([a.message.id for a in outcomes], claim, session, fields=())
        updates = []
        for attempted in outcomes:
            if attempted.message.id not in held:
                continue
            outcome = attempted.outcome
            update = finish_update(outcome, now, {"status": outcome.status, "at": now, "reason": outcome.reason})
            if attempted.rendered:
                update["$set"].update(attempted.rendered)
            updates.append(UpdateOne({"_id": attempted.message.id}, update))
        if updates:
            await self.collection.bulk_write(updates, ordered=False, session=session)

    async def release_held(self, channel: str) -> int:
        """The channel's server answers again: what waited for it is due now, in the order it was
        planned (each is due from when it was created, so the oldest goes first, and a message
        planned after the release still goes before them in the fresh lane). Returns how many."""
        held = _held_for(channel)
        releases = [
            UpdateOne({"_id": doc["_id"], **held}, {"$set": {"next_attempt_at": doc["created_at"]}})
            async for doc in self.collection.find(held, {"_id": 1, "created_at": 1})
        ]
        if releases:
            await self.atomically(lambda session: self.collection.bulk_write(releases, ordered=False, session=session))
        return len(releases)

    async def count_held(self, channel: str) -> int:
        return await self.collection.count_documents(_held_for(channel))

    async def wake_waiting_for(self, person_ids: Sequence[str], now: datetime) -> int:
        """These people's messages that waited for their contact details are due now (for a contact
        that another worker's batch learnt while this one planned: see planning's ``release_waiting``
        for the usual way they go on)."""
        # Found first, then updated by id: usually nothing waits (the contact came first), and on
        # SecantusDB this find costs ~1 ms where the update_many cost ~38 ms a batch, matching or not.
        query = {"person_id": {"$in": list(person_ids)}, **_WAITING}
        waiting = [doc["_id"] async for doc in self.collection.find(query, {"_id": 1})]
        if not waiting:
            return 0
        await self.atomically(
            lambda session: self.collection.update_many(
                {"_id": {"$in": waiting}, **query}, {"$set": {"next_attempt_at": now}}, session=session
            )
        )
        return len(waiting)

    async def waiting_for_contact_of(self, person_ids: Sequence[str], session: Session) -> list[Message]:
        """These people's messages that wait for their contact details (usually none: the contact
        came first)."""
        query = {"person_id": {"$in": list(person_ids)}, **_WAITING}
        return [self.from_document(doc) async for doc in self.collection.find(query, session=session)]

    async def rewrite(self, messages: Sequence[Message], session: Session, claim: str | None = None) -> None:
        """Write these messages (read in this transaction) as they are now, each by its id: those in
        'sending' claimed under ``claim``. A change another worker committed since the read is a write
        conflict, which runs the transaction again."""
        replacements = [ReplaceOne({"_id": doc["_id"]}, doc) for doc in self.claimed_documents(messages, claim)]
        if replacements:
            await self.collection.bulk_write(replacements, ordered=False, session=session)

    async def people_waiting_for_contact(self, now: datetime, limit: int = 1000) -> list[str]:
        """Whose contact details messages not yet due are waiting for (the soonest due first). Read on
        the due index as a status and one range, the reason checked here: with the reason in the
        query SecantusDB walked every temporary failure, the thousands held for a mail server that
        is down among them, and MongoDB the index entries of all of them. Those already due need
        no waking."""
        query = {"status": _WAITING["status"], "next_attempt_at": {"$gt": now}}
        found = self.collection.find(query, {"person_id": 1, "reason": 1}).sort("next_attempt_at", ASCENDING)
        people = [doc["person_id"] async for doc in found.limit(limit) if doc.get("reason") == _WAITING["reason"]]
        return list(dict.fromkeys(people))

    async def call_off_reminders(self, key: str, now: datetime, tx: Transaction) -> None:
        """A sign-up, shift or loan ended early: its pending reminders are not sent (planned ones in
        this same batch of events included)."""
        await tx.flush(self.collection_name)
        await self.collection.update_many(
            {"reminder_keys": key, "status": {"$in": ["created", "deferred", "temporary_failure"]}},
            {
                "$set": {"status": "skipped", "reason": "called off", "updated_at": now},
                "$unset": {"next_attempt_at": ""},
            },
            session=tx.session,
        )

    async def forget_person(self, person_id: str, now: datetime, tx: Transaction) -> None:
        """Erasure: nothing more is sent to this person, and their inbox copies are removed."""
        await tx.flush(self.collection_name)  # messages planned earlier in this batch of events too
        session = tx.session
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

    async def of_people(self, person_ids: list[str], session: Session = None) -> list[Message]:
        """Every message to any of these ids (one person's), newest first per id (a subject access export)."""
        found = self.collection.find({"person_id": {"$in": person_ids}}, session=session).hint("inbox")
        return [self.from_document(doc) for doc in await found.to_list()]

    # -- retention ----------------------------------------------------------------------------

    async def remove_content(self, channel: str, created_before: datetime, now: datetime, chunk: int = 500) -> int:
        """Remove what final messages of ``channel`` created before ``created_before`` said (their
        subject, body and the event's values they were written from), keeping their metadata:
        type, status, history, who and when. Returns how many lost their content."""
        removed = 0
        while True:
            # Named: SecantusDB's planner would scan the collection for this filter (MongoDB picks it).
            oldest = self.collection.find(content_held(channel, created_before), {"_id": 1}).hint(CONTENT_BY_AGE)
            ids = [doc["_id"] async for doc in oldest.limit(chunk)]
            if not ids:
                return removed
            result = await self.collection.update_many(
                {"_id": {"$in": ids}, "status": {"$in": sorted(FINAL_STATUSES)}},
                {"$unset": {"subject": "", "body": "", "values": ""}, "$set": {"content_removed_at": now}},
            )
            removed += result.modified_count
            if len(ids) < chunk:
                return removed

    # -- digests ------------------------------------------------------------------------------

    async def due_digest_people(self, now: datetime, limit: int = 100) -> list[str]:
        pipeline = [
            {"$match": {"status": "digest_pending", "next_attempt_at": {"$lte": now}}},
            {"$group": {"_id": "$person_id"}},
            {"$limit": limit},
        ]
        return [doc["_id"] async for doc in await self.collection.aggregate(pipeline)]

    async def claim_digest(self, person_id: str, digest_id: str, now: datetime) -> list[Message]:
        """Take every due digest message of a person for one digest email."""
        claim = {
            "$set": {
                "status": "sending",
                "digest_id": digest_id,
                "claim": digest_id,
                "next_attempt_at": now + self.sending_lease,
            }
        }
        await self.atomically(
            lambda session: self.collection.update_many(
                {"person_id": person_id, "status": "digest_pending", "next_attempt_at": {"$lte": now}},
                claim,
                session=session,
            )
        )
        docs = await self.collection.find({"digest_id": digest_id}).sort("created_at", ASCENDING).to_list()
        return [self.from_document(doc) for doc in docs]

    # -- what staff and people read -----------------------------------------------------------

    async def for_event(self, event_id: str) -> list[Message]:
        docs = await self.collection.find({"event_id": event_id}).sort("_id", ASCENDING).to_list()
        return [self.from_document(doc) for doc in docs]

    async def failed_in_hub(
        self, hub_id: str, statuses: Sequence[str], paging: PageQuery
    ) -> tuple[list[Message], str | None]:
        """A hub's messages in these (failure) statuses, newest first."""
        return await self.page(
            {"hub_id": hub_id, "status": {"$in": list(statuses)}},
            sort=HUB_ORDER,
            limit=paging.limit,
            cursor=paging.cursor,
            hint="by_hub",
        )

    async def inbox(self, person_id: str, paging: PageQuery) -> tuple[list[Message], str | None]:
        """A person's delivered in-app messages, newest first."""
        return await self.page(
            {"person_id": person_id, "channel": "inapp", "status": "delivered"},
            sort=INBOX_ORDER,
            limit=paging.limit,
            cursor=paging.cursor,
            hint="inbox",  # the dev database's planner scans the collection without it
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


def _held_for(server: str) -> dict[str, Any]:
    """The messages waiting for a server to answer again: their channel's, or the token issuer (the
    reason names which; an email can wait for either)."""
    return {"status": "temporary_failure", "reason": waiting_for_channel(server)}

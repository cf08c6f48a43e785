"""Planning: the messages an event calls for, created inside the consumer's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from hub_common.clock import Clock
from hub_common.envelope import Envelope
from hub_common.tracing import current_trace
from hub_common.uow import Transaction
from hub_notifications.adapters.contacts import LEARNING
from hub_notifications.adapters.hub_staff import HubStaffRepository
from hub_notifications.adapters.issue_followers import IssueFollowerRepository
from hub_notifications.adapters.messages import MESSAGES, Attempted, MessageRepository
from hub_notifications.adapters.rule_settings import RuleSettingRepository
from hub_notifications.domain.messages import (
    WAITING_FOR_CONTACT,
    Message,
    Outcome,
    StatusChange,
    awaiting_contact,
    message_id,
)
from hub_notifications.domain.plain_text import plain, plain_status
from hub_notifications.domain.rules import (
    CANCELS,
    FOLLOWED,
    HUB_COUNCILLORS,
    HUB_STAFF,
    TEXT_SUFFIX,
    WORDED_FIELDS,
    Rule,
    followed_key,
    panel_key,
    rules_for,
)
from hub_notifications.service.handoff import Handoff
from hub_notifications.service.recipients import Ready, RecipientReader, Recipients, assess, publish_outcome
from hub_notifications.service.sign_in_links import SIGN_IN


def with_plain_text(data: dict[str, Any]) -> dict[str, Any]:
    """The event data plus a plain-words version of every date, date-time and state in it."""
    values = dict(data)
    for name, value in data.items():
        words = plain_status(value) if name in WORDED_FIELDS else plain(value)
        if words:
            values[f"{name}{TEXT_SUFFIX}"] = words
    return values


def reminder_keys(rule: Rule, data: dict[str, Any]) -> list[str]:
    """What can call a reminder off: its own key and the keys of what contains it (a shift)."""
    if rule.reminder is None:
        return []
    keys = {rule.reminder.key_field} | {key for _, key in CANCELS.values()}
    return sorted(f"{key}:{data[key]}" for key in keys if data.get(key))


def audience_of(rule: Rule, data: dict[str, Any]) -> list[str]:
    """The people a rule addresses: one id field, or a list of ids (e.g. everyone on a cancelled shift)."""
    value = data.get(rule.audience)
    people = value if isinstance(value, list) else [value]
    return [p for p in dict.fromkeys(people) if isinstance(p, str) and p]


class PlanningService:
    def __init__(
        self,
        messages: MessageRepository,
        rule_settings: RuleSettingRepository,
        hub_staff: HubStaffRepository,
        followers: IssueFollowerRepository,
        recipients: RecipientReader,
        *,
        clock: Clock,
        public_base_url: str,
        handoff: Handoff | None = None,
    ) -> None:
        self.handoff = handoff
        self.messages = messages
        self.rule_settings = rule_settings
        self.hub_staff = hub_staff
        self.followers = followers
        self.recipients = recipients
        self.clock = clock
        self.public_base_url = public_base_url.rstrip("/")

    async def plan(self, event: Envelope, tx: Transaction) -> int:
        """Create the messages an event calls for; a repeated event creates nothing new."""
        data = event.data.model_dump(mode="json")
        hub_id = event.hub_id or data.get("hub_id")
        await self._track_followers(event.type, data, tx)
        if event.type in CANCELS:
            field, key = CANCELS[event.type]
            if data.get(field):
                await self.messages.call_off_reminders(f"{key}:{data[field]}", self.clock(), tx)
        rules = rules_for(event.type)
        if not rules:
            return 0
        # A batch of events is one transaction: a hub's settings and staff are read once for all of it
        # (nothing in the consumer changes them; staff change them through the API).
        switched_off = await tx.memo(("rules-off", hub_id), lambda: self.rule_settings.disabled(hub_id, tx.session))
        created = 0
        for rule in rules:
            if rule.message_type in switched_off:
                continue  # this hub's staff turned the rule off
            if rule.only_if and not data.get(rule.only_if):
                continue  # e.g. minutes that agreed no action
            if rule.audience == HUB_STAFF:
                people = await tx.memo(("hub-staff", hub_id), lambda: self.hub_staff.of_hub(hub_id, tx.session))
            elif rule.audience == HUB_COUNCILLORS:
                people = await tx.memo(
                    ("hub-councillors", hub_id), lambda: self.hub_staff.of_hub(hub_id, tx.session, "councillor")
                )
            elif rule.audience in FOLLOWED:
                key = followed_key(rule.audience, data)
                people = await self.followers.of(key, tx) if key else []
            else:
                people = audience_of(rule, data)
            for person_id in people:  # those who asked to be forgotten are left out as this is written
                created += self._plan_for(event, rule, person_id, hub_id, data, tx)
        return created

    def _link(self, rule: Rule, person_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The rule's web-app link, and whom it signs in as when the rule asks for it: the token is
        asked of the issuer when the message is sent (see ``SignInLinks``), not here, so planning
        never waits on the issuer and no token sits in a queued message."""
        if rule.link is None:
            return {}
        link = self.public_base_url + rule.link.format_map(data)
        if not (rule.sign_in_until or rule.sign_in_for):
            return {"link": link}
        now = self.clock()
        until = datetime.fromisoformat(data[rule.sign_in_until]) if rule.sign_in_until else now + rule.sign_in_for
        sign_in = {
            "sub": data[rule.sign_in_as] if rule.sign_in_as else person_id,
            "hubs": [data["hub_id"]] if data.get("hub_id") else [],
            "until": max(until, now + timedelta(hours=1)).isoformat(),
        }
        return {"link": link, SIGN_IN: sign_in}

    async def _track_followers(self, event_type: str, data: dict[str, Any], tx: Transaction) -> None:
        """Reporters and supporters follow an issue; when it is merged they follow the original too.
        An idea's followers are named by the participation service (its proposer, whoever asks); a
        budgeting round's are those who submitted a proposal to it."""
        if event_type == "hub.issues.issue.reported.v1" and data.get("reporter_id"):
            self.followers.follow(data["issue_id"], [data["reporter_id"]], tx)
        elif event_type == "hub.issues.issue.supported.v1":
            self.followers.follow(data["issue_id"], [data["supporter_id"]], tx)
        elif event_type == "hub.issues.issue.duplicate_merged.v1":
            moving = await self.followers.of(data["issue_id"], tx)
            self.followers.follow(data["duplicate_of"], moving, tx)
        elif event_type == "hub.participation.idea.followed.v1":
            self.followers.follow(data["idea_id"], [data["follower_id"]], tx)
        elif event_type == "hub.participation.pb_proposal.submitted.v1":  # hears how the round goes
            self.followers.follow(data["round_id"], [data["proposer_id"]], tx)
        elif event_type == "hub.participation.panel.joined.v1":  # asked when a survey invites the panel
            self.followers.follow(panel_key(data["hub_id"]), [data["person_id"]], tx)
        elif event_type == "hub.participation.panel.left.v1":
            await self.followers.unfollow(panel_key(data["hub_id"]), data["person_id"], tx)

    def _plan_for(
        self, event: Envelope, rule: Rule, person_id: str, hub_id: str | None, data: dict[str, Any], tx: Transaction
    ) -> int:
        now = send_at = self.clock()
        if rule.reminder is not None:
            when = datetime.fromisoformat(data[rule.reminder.field])
            if when <= send_at:
                return 0  # it has already happened: nothing to remind of
            send_at = max(send_at, when - rule.reminder.before)
        trace = current_trace()
        for channel in rule.channels:
            message = Message(
                id=message_id(event.source, event.id, person_id, channel, rule.message_type),
                event_id=event.id,
                event_source=event.source,
                event_type=event.type,
                hub_id=hub_id,
                person_id=person_id,
                channel=channel,
                message_type=rule.message_type,
                category=rule.category,
                critical=rule.critical,
                values={**with_plain_text(data), **self._link(rule, person_id, data)},
                status="created",
                attempts=0,
                created_at=event.time,
                next_attempt_at=send_at,
                reminder_keys=reminder_keys(rule, data),
                trace_id=trace.trace_id if trace else None,
                history=[StatusChange(status="created", at=now)],
            )
            # Written with the batch's other planned messages, in one bulk call before it commits.
            tx.stage(MESSAGES, message, lambda planned, _session: self._write_planned(planned, tx))
        return len(rule.channels)

    async def _write_planned(self, planned: list[Message], tx: Transaction) -> None:
        """Write the batch's planned messages (those whose id exists already change nothing), each as
        far as it can go now, as the worker would take it: an in-app message is delivered by being
        stored with its text; one that consent or preferences rule out is skipped, deferred or
        collected; one whose recipient is not known yet waits for their contact details without an
        attempt. Only emails and texts ready to send go to the queue. What is settled here publishes
        its status event with the batch; waiting for contact details publishes nothing. Nothing is
        written for people who asked to be forgotten: they hear nothing more."""
        await tx.flush(LEARNING)  # the batch's contact details first: they decide what can be settled
        now = self.clock()
        known = await self.recipients.read(planned, now, tx.session)
        planned = [m for m in planned if m.person_id not in known.erased]
        settled, ready = self._settle(planned, known, now)
        written, claim, claimed = self._as_written(planned, settled, ready, now)
        if not written:
            return
        inserted = await self.messages.add_missing(written, tx.session, claim)
        self._after_writing(written, settled, claim, [m for m in claimed if m.id in inserted], inserted, tx)

    async def release_waiting(self, person_ids: list[str], tx: Transaction) -> None:
        """These people's contact details have just been learnt (in this transaction): the messages that
        waited for them go as far as they can now, as if planned now. An in-app one is delivered, an
        email or text ready to send is handed to this worker (or due at once when its hands are full).
        Making them due for any worker instead cost each a claim, and an in-app one a claim and a
        record as well: two in five acknowledgements of a burst waited so (their report's event
        overtakes its contact's, which another worker may hold)."""
        waiting = await self.messages.waiting_for_contact_of(person_ids, tx.session)
        if not waiting:
            return
        now = self.clock()
        due = [m.model_copy(update={"next_attempt_at": now}) for m in waiting]
        known = await self.recipients.read(due, now, tx.session)
        settled, ready = self._settle(due, known, now)
        written, claim, claimed = self._as_written(due, settled, ready, now)
        await self.messages.rewrite(written, tx.session, claim)
        self._after_writing(written, settled, claim, claimed, {m.id for m in written}, tx)

    def _settle(
        self, messages: list[Message], known: Recipients, now: datetime
    ) -> tuple[dict[str, Attempted], set[str]]:
        """How far each message can go now: the outcome of those settled without sending, and the ids of
        emails and texts ready to send. A reminder (due later) is left as it is."""
        settled: dict[str, Attempted] = {}
        ready: set[str] = set()
        for message in messages:
            if message.next_attempt_at is None or message.next_attempt_at > now:
                continue  # a reminder: the worker sends it when it is due
            assessed = assess(message, known, now)
            if isinstance(assessed, Ready):
                if message.channel == "inapp":
                    settled[message.id] = Attempted(message, Outcome("delivered"), assessed.rendered)
                elif (held_back := self.recipients.held_back(message, known, now, counting=False)) is not None:
                    settled[message.id] = Attempted(message, held_back, assessed.rendered)
                else:
                    ready.add(message.id)
            elif assessed.outcome.reason == WAITING_FOR_CONTACT:
                settled[message.id] = Attempted(message, awaiting_contact(now))
            else:
                settled[message.id] = assessed
        return settled, ready

    def _as_written(
        self, messages: list[Message], settled: dict[str, Attempted], ready: set[str], now: datetime
    ) -> tuple[list[Message], str | None, list[Message]]:
        """The messages as they are to be written: settled ones with their outcome, ready ones claimed
        by this worker if it has room for them (with the claim's token), the rest as they are."""
        written = [
            m.settled(settled[m.id].outcome, now, settled[m.id].rendered) if m.id in settled else m for m in messages
        ]
        if self.handoff is None or not ready or not self.handoff.has_room():
            return written, None, []
        claim, claimed = self.handoff.claim([m for m in written if m.id in ready], now)
        by_id = {m.id: m for m in claimed}
        return [by_id.get(m.id, m) for m in written], claim, claimed

    def _after_writing(
        self,
        written: list[Message],
        settled: dict[str, Attempted],
        claim: str | None,
        handed: list[Message],
        changed: set[str],
        tx: Transaction,
    ) -> None:
        """Hand what this worker claimed to its delivery once the transaction commits, and publish the
        status of what was settled (of the messages this transaction changed)."""
        if claim is not None and self.handoff is not None:
            tx.after_commit(partial(self.handoff.hand, claim, handed))
        for message in written:
            attempted = settled.get(message.id)
            if attempted is not None and message.id in changed and attempted.outcome.attempted:
                publish_outcome(tx, attempted, message.attempts)

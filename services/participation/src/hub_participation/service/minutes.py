"""Minutes and actions of a forum meeting: staff publish the minutes with the actions agreed (an owner
and a due date each), and mark each action done with what was done ("You Said, We Did")."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.participation import ForumActionCompleted, ForumActionItem, MinutesPublished
from hub_common.uow import Transaction, UnitOfWork
from hub_participation.adapters.meetings import MeetingRepository
from hub_participation.domain.meeting import ForumAction, Meeting


@dataclass(frozen=True)
class ActionRequest:
    title: str
    owner: str
    due_on: date


class MinutesService:
    def __init__(self, uow: UnitOfWork, meetings: MeetingRepository, *, clock: Clock) -> None:
        self.uow = uow
        self.meetings = meetings
        self.clock = clock

    async def publish(
        self,
        caller: Principal,
        meeting_id: str,
        text: str,
        actions: list[ActionRequest],
        expected: int | None,
    ) -> Meeting:
        """The minutes, once the meeting has started (once: a repeat is a 409); those who had a
        place are told."""

        async def work(tx: Transaction) -> Meeting:
            meeting = await self.meetings.get(meeting_id, tx.session)
            caller.require_staff_for(meeting.hub_id)
            check_version(expected, meeting.version)
            agreed = [
                ForumAction(id=f"action-{uuid.uuid4().hex[:12]}", title=a.title, owner=a.owner, due_on=a.due_on)
                for a in actions
            ]
            held = meeting.with_minutes(text, agreed, by=caller.sub, at=self.clock())
            await self.meetings.save_if_version(held, meeting.version, tx.session)
            tx.publish(
                MinutesPublished(
                    meeting_id=meeting.id,
                    hub_id=meeting.hub_id,
                    title=meeting.title,
                    starts_at=meeting.starts_at,
                    minutes=text,
                    actions=[
                        ForumActionItem(action_id=a.id, title=a.title, owner=a.owner, due_on=a.due_on) for a in agreed
                    ],
                    registrant_ids=held.attendee_ids(),
                    published_at=held.updated_at,
                ),
                subject=meeting.id,
                hub_id=meeting.hub_id,
            )
            return held

        return await self.uow.run(work)

    async def complete_action(
        self, caller: Principal, meeting_id: str, action_id: str, note: str, expected: int | None
    ) -> Meeting:
        """An action is done: what was done is public, and the issues service's "You Said, We Did"
        log shows it beside the fixed problems."""

        async def work(tx: Transaction) -> Meeting:
            meeting = await self.meetings.get(meeting_id, tx.session)
            caller.require_staff_for(meeting.hub_id)
            check_version(expected, meeting.version)
            changed, done = meeting.action_done(action_id, note, by=caller.sub, at=self.clock())
            await self.meetings.save_if_version(changed, meeting.version, tx.session)
            assert done.done_at is not None
            tx.publish(
                ForumActionCompleted(
                    meeting_id=meeting.id,
                    hub_id=meeting.hub_id,
                    action_id=done.id,
                    meeting_title=meeting.title,
                    title=done.title,
                    owner=done.owner,
                    due_on=done.due_on,
                    note=note,
                    completed_by=caller.sub,
                    completed_at=done.done_at,
                ),
                subject=meeting.id,
                hub_id=meeting.hub_id,
            )
            return changed

        return await self.uow.run(work)

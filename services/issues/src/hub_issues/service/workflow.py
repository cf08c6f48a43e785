"""The workflow: staff move an issue through its statuses, merge duplicates, assign it, publish updates;
the partner agency an issue is referred to reports back on it."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.concurrency import check_version
from hub_common.contracts.issues import AgencyUpdateSubmitted, IssueAssigned, IssueUpdatePublished
from hub_common.errors import Conflict, Forbidden, RuleViolation
from hub_common.uow import Transaction, UnitOfWork
from hub_issues.adapters.issues import IssueRepository
from hub_issues.domain.events import duplicate_merged, location_of, status_event
from hub_issues.domain.issue import Issue
from hub_issues.domain.photos import Photo
from hub_issues.domain.workflow import Actor, decide, is_agency
from hub_issues.service.photos import PhotoService
from hub_issues.service.saving import save

# What each kind of an agency's report back does to the issue (progress is an update, no change).
AGENCY_REPORTS = {"started": "start", "fixed": "fix", "not_fixed": "close_not_fixed"}


async def load_for_change(
    issues: IssueRepository, tx: Transaction, caller: Principal, issue_id: str, expected_version: int | None
) -> Issue:
    """The issue a caller is about to change: staff only of its hub; a partner only if it is the
    agency the open issue is referred to and is granted its hub; residents go on to the workflow's
    own rules (a reporter may reopen)."""
    issue = await issues.get(issue_id, tx.session)
    if caller.is_staff:
        caller.require_hub(issue.hub_id)
    elif caller.role == "partner":
        if not is_agency(issue.workflow_state, Actor(caller.sub, "partner")):
            raise Forbidden("a partner changes only the open issues referred to it")
        caller.require_hub(issue.hub_id)
    check_version(expected_version, issue.version)
    return issue


class WorkflowService:
    def __init__(
        self, uow: UnitOfWork, issues: IssueRepository, photos: PhotoService, *, clock: Clock, reopen_days: int
    ) -> None:
        self.uow = uow
        self.issues = issues
        self.photos = photos
        self.clock = clock
        self.reopen_period = timedelta(days=reopen_days)

    async def _staff_photos(
        self, tx: Transaction, caller: Principal, photo_ids: list[str], at: datetime
    ) -> list[Photo]:
        """The photos staff publish with an update or a status change (its public note describes them)."""
        if photo_ids and not caller.is_staff:
            raise Forbidden("only the hub's staff publish photos with an update")
        return await self.photos.attachable(tx, caller, photo_ids, at=at)

    async def change_status(
        self,
        caller: Principal,
        issue_id: str,
        action: str,
        *,
        public_note: str,
        private_note: str | None = None,
        agency_responsible: str | None = None,
        reason: str | None = None,
        expected_version: int | None = None,
        photo_ids: list[str] | None = None,
    ) -> Issue:
        if action == "mark_duplicate":
            raise RuleViolation("merge duplicates with POST /v1/issues/{id}/merge")
        now = self.clock()

        async def work(tx: Transaction) -> Issue:
            issue = await load_for_change(self.issues, tx, caller, issue_id, expected_version)
            photos = await self._staff_photos(tx, caller, photo_ids or [], now)
            return await self._changed(
                tx, caller, issue, action, now, public_note, private_note, agency_responsible, reason, photos
            )

        changed = await self.uow.run(work)
        await self.photos.attached(photo_ids or [])
        return changed

    async def _changed(
        self,
        tx: Transaction,
        caller: Principal,
        issue: Issue,
        action: str,
        now: datetime,
        public_note: str,
        private_note: str | None = None,
        agency_responsible: str | None = None,
        reason: str | None = None,
        photos: list[Photo] | None = None,
    ) -> Issue:
        change = decide(
            issue.workflow_state,
            action,
            actor=Actor(caller.sub, caller.role),
            at=now,
            public_note=public_note,
            private_note=private_note,
            agency_responsible=agency_responsible,
            reason=reason,
            reopen_period=self.reopen_period,
        )
        changed = await save(
            self.issues, issue.after(change).with_update_photos(photos or []), issue.version, tx.session
        )
        tx.publish(status_event(changed, change), subject=issue.id, hub_id=issue.hub_id)
        return changed

    async def agency_report(self, tx: Transaction, agency: Principal, data: AgencyUpdateSubmitted) -> Issue:
        """The partner agency an issue is referred to reports back on ``hub.issues.inbound``: progress
        (a public update), work started, fixed, or not fixed with a reason. In the consumer's unit of
        work; refused as over the API when the issue is not referred to it."""
        now = self.clock()
        issue = await load_for_change(self.issues, tx, agency, data.issue_id, None)
        if data.kind == "progress":
            return await self._published(tx, agency, issue, data.public_note.strip(), [], now)
        action = AGENCY_REPORTS[data.kind]
        return await self._changed(tx, agency, issue, action, now, data.public_note, reason=data.reason)

    async def merge(
        self,
        caller: Principal,
        issue_id: str,
        *,
        into: str,
        public_note: str,
        private_note: str | None = None,
        expected_version: int | None = None,
    ) -> Issue:
        """Mark an issue as a duplicate of ``into``; its reporter and supporters follow the original."""
        now = self.clock()

        async def work(tx: Transaction) -> Issue:
            duplicate = await load_for_change(self.issues, tx, caller, issue_id, expected_version)
            original = await self.issues.find(into, tx.session)
            if original is None:
                raise RuleViolation(
                    f"there is no issue {into!r} to merge into",
                    errors=[{"field": "into", "message": "unknown issue", "type": "unknown"}],
                )
            caller.require_hub(original.hub_id)
            if original.status == "duplicate":
                raise Conflict(f"{into} is itself a duplicate of {original.duplicate_of}; merge into that")
            change = decide(
                duplicate.workflow_state,
                "mark_duplicate",
                actor=Actor(caller.sub, caller.role),
                at=now,
                public_note=public_note,
                private_note=private_note,
                duplicate_of=into,
            )
            merged = await save(self.issues, duplicate.after(change), duplicate.version, tx.session)
            absorbed, followers_moved = original.absorbing(duplicate)
            await save(self.issues, absorbed, original.version, tx.session)
            tx.publish(duplicate_merged(merged, change, followers_moved), subject=issue_id, hub_id=duplicate.hub_id)
            return merged

        return await self.uow.run(work)

    async def assign(self, caller: Principal, issue_id: str, assignee: str, expected_version: int | None) -> Issue:
        """Give an open issue to a team or person; recorded in the history, announced as an event."""
        now = self.clock()

        async def work(tx: Transaction) -> Issue:
            issue = await load_for_change(self.issues, tx, caller, issue_id, expected_version)
            assigned = issue.assigned(assignee, by=caller.sub, by_role=caller.role, at=now)
            await save(self.issues, assigned, issue.version, tx.session)
            tx.publish(
                IssueAssigned(
                    issue_id=issue_id,
                    hub_id=issue.hub_id,
                    service_code=issue.service_code,
                    location=location_of(issue),
                    status=issue.status,
                    assignee=assignee,
                    assigned_by=caller.sub,
                    assigned_at=now,
                ),
                subject=issue_id,
                hub_id=issue.hub_id,
            )
            return assigned

        return await self.uow.run(work)

    async def publish_update(
        self, caller: Principal, issue_id: str, public_note: str, photo_ids: list[str] | None = None
    ) -> Issue:
        """A progress note for the public without a status change (recorded in the history too),
        with the photos staff took."""
        now = self.clock()
        note = public_note.strip()

        if not (caller.is_staff or caller.role == "partner"):
            raise Forbidden("only the hub's staff, or the agency an issue is referred to, publish its updates")

        async def work(tx: Transaction) -> Issue:
            issue = await load_for_change(self.issues, tx, caller, issue_id, None)
            photos = await self._staff_photos(tx, caller, photo_ids or [], now)
            return await self._published(tx, caller, issue, note, photos, now)

        updated = await self.uow.run(work)
        await self.photos.attached(photo_ids or [])
        return updated

    async def _published(
        self, tx: Transaction, caller: Principal, issue: Issue, note: str, photos: list[Photo], now: datetime
    ) -> Issue:
        if not note:
            raise RuleViolation(
                "an update needs a public note",
                errors=[{"field": "public_note", "message": "say what happened", "type": "missing"}],
            )
        issue_id = issue.id
        updated = issue.with_update(note, by=caller.sub, by_role=caller.role, at=now).with_update_photos(photos)
        await save(self.issues, updated, issue.version, tx.session)
        tx.publish(
            IssueUpdatePublished(
                issue_id=issue_id,
                hub_id=issue.hub_id,
                service_code=issue.service_code,
                location=location_of(issue),
                status=issue.status,
                public_note=note,
                published_by=caller.sub,
                published_at=now,
            ),
            subject=issue_id,
            hub_id=issue.hub_id,
        )
        return updated

"""After the report: "me too"s, overdue flags and feedback requests (the periodic sweep), and the
reporter's feedback."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub_common.auth import Principal
from hub_common.clock import Clock
from hub_common.contracts.issues import IssueFeedbackReceived, IssueFeedbackRequested, IssueOverdue, IssueSupported
from hub_common.uow import Transaction, UnitOfWork
from hub_issues.adapters.issues import IssueRepository
from hub_issues.domain.events import location_of, status_event
from hub_issues.domain.issue import Issue
from hub_issues.domain.workflow import Actor, decide
from hub_issues.service.saving import save

SWEEP_BATCH = 500  # issues flagged (and reporters asked) per sweep at most; the next sweep goes on


class FollowUpService:
    def __init__(
        self,
        uow: UnitOfWork,
        issues: IssueRepository,
        *,
        clock: Clock,
        feedback_after_days: int,
        feedback_respond_days: int,
    ) -> None:
        self.uow = uow
        self.issues = issues
        self.clock = clock
        self.feedback_delay = timedelta(days=feedback_after_days)
        self.respond_within = timedelta(days=feedback_respond_days)

    async def support(self, caller: Principal, issue_id: str) -> Issue:
        """'Me too': one per person; a repeat changes nothing."""
        now = self.clock()

        async def work(tx: Transaction) -> Issue:
            issue = await self.issues.get(issue_id, tx.session)
            if issue.supports(caller.sub):
                return issue
            supported = await save(self.issues, issue.supported_by(caller.sub), issue.version, tx.session)
            tx.publish(
                IssueSupported(
                    issue_id=issue_id,
                    hub_id=issue.hub_id,
                    service_code=issue.service_code,
                    location=location_of(issue),
                    supporter_id=caller.sub,
                    support_count=supported.support_count,
                    supported_at=now,
                ),
                subject=issue_id,
                hub_id=issue.hub_id,
            )
            return supported

        return await self.uow.run(work)

    async def sweep(self, now: datetime | None = None, batch: int = SWEEP_BATCH) -> dict[str, int]:
        """Flag overdue open issues and ask reporters for feedback once the delay after a fix passed.

        The worker runs it every ``HUB_SWEEP_INTERVAL_S``. Safe to run from several workers: each
        issue is read again and changed in the transaction that also writes its event, so it is
        flagged (and announced) once.
        """
        now = now or self.clock()
        flagged = requested = 0
        for issue in await self.issues.overdue(now, batch):
            flagged += await self.uow.run(lambda tx, issue_id=issue.id: self._flag_overdue(tx, issue_id, now))
        for issue in await self.issues.feedback_due(now - self.feedback_delay, batch):
            requested += await self.uow.run(lambda tx, issue_id=issue.id: self._ask_for_feedback(tx, issue_id, now))
        return {"flagged_overdue": flagged, "feedback_requested": requested}

    async def _flag_overdue(self, tx: Transaction, issue_id: str, now: datetime) -> int:
        issue = await self.issues.get(issue_id, tx.session)
        flagged = issue.flagged_overdue(now)
        if flagged is None:
            return 0
        await save(self.issues, flagged, issue.version, tx.session)
        tx.publish(
            IssueOverdue(
                issue_id=issue.id,
                hub_id=issue.hub_id,
                service_code=issue.service_code,
                service_name=issue.service_name,
                location=location_of(issue),
                status=issue.status,
                requested_at=issue.requested_at,
                expected_at=issue.expected_at,
                flagged_at=now,
            ),
            subject=issue.id,
            hub_id=issue.hub_id,
        )
        return 1

    async def _ask_for_feedback(self, tx: Transaction, issue_id: str, now: datetime) -> int:
        issue = await self.issues.get(issue_id, tx.session)
        asked = issue.feedback_asked(now, self.respond_within)
        if asked is None:
            return 0
        await save(self.issues, asked, issue.version, tx.session)
        tx.publish(
            IssueFeedbackRequested(
                issue_id=issue.id,
                hub_id=issue.hub_id,
                service_code=issue.service_code,
                service_name=issue.service_name,
                location=location_of(issue),
                reporter_id=issue.reporter_id,
                fixed_at=issue.fixed_at,
                requested_at=now,
                respond_by=asked.feedback_respond_by,
            ),
            subject=issue.id,
            hub_id=issue.hub_id,
        )
        return 1

    async def give_feedback(
        self, caller: Principal, issue_id: str, *, fixed: bool, satisfaction: int | None, comment: str | None
    ) -> Issue:
        """The reporter's one answer to a feedback request; "not fixed" reopens the issue."""
        now = self.clock()

        async def work(tx: Transaction) -> Issue:
            issue = await self.issues.get(issue_id, tx.session)
            answered = issue.with_feedback(caller.sub, fixed=fixed, satisfaction=satisfaction, comment=comment, at=now)
            tx.publish(
                IssueFeedbackReceived(
                    issue_id=issue_id,
                    hub_id=issue.hub_id,
                    service_code=issue.service_code,
                    location=location_of(issue),
                    fixed=fixed,
                    satisfaction=satisfaction,
                    received_at=now,
                ),
                subject=issue_id,
                hub_id=issue.hub_id,
            )
            if not fixed and answered.status in ("fixed", "closed"):
                change = decide(
                    answered.workflow_state,
                    "reopen",
                    actor=Actor(caller.sub, "resident"),
                    at=now,
                    public_note="The reporter says it is not fixed",
                    reopen_period=timedelta.max,  # feedback may reopen after the usual period
                )
                answered = answered.after(change)
                tx.publish(status_event(answered, change), subject=issue_id, hub_id=issue.hub_id)
            return await save(self.issues, answered, issue.version, tx.session)

        return await self.uow.run(work)

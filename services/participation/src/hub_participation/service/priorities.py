"""Open priorities: the read model of the issues service's open problem reports, per hub, kept from
its events (in the consumer's transaction) for forum agendas."""

from __future__ import annotations

from hub_common.contracts.issues import IssueReported, IssueStatusEvent, IssueSupported
from hub_common.uow import Transaction
from hub_participation.adapters.priorities import OpenIssueRepository
from hub_participation.domain.priority import OpenIssue, first_seen


class PriorityService:
    def __init__(self, issues: OpenIssueRepository) -> None:
        self.issues = issues

    async def apply(self, tx: Transaction, event: IssueReported | IssueStatusEvent | IssueSupported) -> None:
        """One issues event into the read model; a repeat or an event older than what it holds changes nothing."""
        current = await self.issues.find(event.issue_id, tx.session) or first_seen(
            event.issue_id, event.hub_id, event.service_code
        )
        if isinstance(event, IssueReported):
            changed = current.reported(event)
        elif isinstance(event, IssueSupported):
            changed = current.supported(event)
        else:
            changed = current.status_changed(event)
        if changed is not None:
            await self.issues.put(changed, tx.session)

    async def top(self, hub_id: str, limit: int) -> list[OpenIssue]:
        return await self.issues.top_in_hub(hub_id, limit)

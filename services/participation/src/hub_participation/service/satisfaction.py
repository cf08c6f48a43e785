"""Satisfaction trends per hub and category, counted from the issues service's after-fix questionnaire."""

from __future__ import annotations

from hub_common.auth import Principal
from hub_common.contracts.issues import IssueFeedbackReceived
from hub_common.errors import RuleViolation
from hub_common.uow import Transaction
from hub_participation.adapters.satisfaction import SatisfactionRepository
from hub_participation.domain.satisfaction import SatisfactionMonth, month_of

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class SatisfactionService:
    def __init__(self, tallies: SatisfactionRepository) -> None:
        self.tallies = tallies

    async def count(self, tx: Transaction, answer: IssueFeedbackReceived) -> None:
        """An answer to the questionnaire, into its tally (the consumer counts each event once)."""
        await self.tallies.count(
            answer.hub_id,
            answer.service_code,
            month_of(answer.received_at),
            fixed=answer.fixed,
            rating=answer.satisfaction,
            session=tx.session,
        )

    async def trend(self, caller: Principal, hub_id: str, since: str, until: str) -> list[SatisfactionMonth]:
        """The hub's monthly tallies per category from ``since`` to ``until`` (YYYY-MM), for its staff."""
        caller.require_staff_for(hub_id)
        if since > until:
            raise RuleViolation("since must not be after until")
        return await self.tallies.of_hub(hub_id, since, until)

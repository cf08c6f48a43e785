"""What the participation service does with each event type it consumes.

- ``hub.privacy``: a privacy request (erasure or subject access) for the ideas held under a
  person's ids, answered on ``hub.privacy`` (``hub_common.privacy``).

- ``hub.issues.issue.feedback_received.v1``: an answer to the after-fix questionnaire, counted into
  its hub's, category's and month's satisfaction tally (counts only; no issue or reporter kept).

Partners publish nothing to ``hub.participation.inbound`` so far.
"""

from __future__ import annotations

from hub_common.consumer import Handler
from hub_common.contracts.issues import IssueFeedbackReceived
from hub_common.envelope import Envelope
from hub_common.privacy import privacy_handlers
from hub_common.uow import Transaction
from hub_participation.service import UseCases


def handlers(use_cases: UseCases) -> dict[str, Handler]:
    async def on_feedback(event: Envelope, tx: Transaction) -> None:
        data: IssueFeedbackReceived = event.data  # type: ignore[assignment]
        await use_cases.satisfaction.count(tx, data)

    return {
        **privacy_handlers("participation", use_cases.personal_data),
        IssueFeedbackReceived.event_type: on_feedback,
    }

"""What the participation service does with each event type it consumes.

- ``hub.privacy``: a privacy request (erasure or subject access) for the ideas and forum
  registrations held under a person's ids, answered on ``hub.privacy`` (``hub_common.privacy``).
- ``hub.assets.room_booking.answered.v1`` on ``hub.assets.events``: the assets service's answer to
  the room booking a forum meeting asked for (by its correlation id, the meeting id): the meeting's
  room becomes confirmed, awaiting approval, declined or cancelled.
- ``hub.issues.issue.feedback_received.v1``: an answer to the after-fix questionnaire, counted into
  its hub's, category's and month's satisfaction tally (counts only; no issue or reporter kept).

Partners publish nothing to ``hub.participation.inbound`` so far.
"""

from __future__ import annotations

from hub_common.consumer import Handler
from hub_common.contracts.assets import RoomBookingAnswered
from hub_common.contracts.issues import IssueFeedbackReceived
from hub_common.envelope import Envelope
from hub_common.privacy import privacy_handlers
from hub_common.uow import Transaction
from hub_participation.service import UseCases


def handlers(use_cases: UseCases) -> dict[str, Handler]:
    async def on_room_answered(event: Envelope, tx: Transaction) -> None:
        data: RoomBookingAnswered = event.data  # type: ignore[assignment]
        await use_cases.meetings.room_answered(data, tx)

    async def on_feedback(event: Envelope, tx: Transaction) -> None:
        data: IssueFeedbackReceived = event.data  # type: ignore[assignment]
        await use_cases.satisfaction.count(tx, data)

    return {
        RoomBookingAnswered.event_type: on_room_answered,
        IssueFeedbackReceived.event_type: on_feedback,
        **privacy_handlers("participation", use_cases.personal_data),
    }

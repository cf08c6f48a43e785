"""What the participation service does with each event type it consumes.

- ``hub.privacy``: a privacy request (erasure or subject access) for the ideas and forum
  registrations held under a person's ids, answered on ``hub.privacy`` (``hub_common.privacy``).
- ``hub.assets.room_booking.answered.v1`` on ``hub.assets.events``: the assets service's answer to
  the room booking a forum meeting asked for (by its correlation id, the meeting id): the meeting's
  room becomes confirmed, awaiting approval, declined or cancelled.
- ``hub.issues.issue.feedback_received.v1``: an answer to the after-fix questionnaire, counted into
  its hub's, category's and month's satisfaction tally (counts only; no issue or reporter kept).
- ``hub.issues.issue.reported.v1``, ``.supported.v1`` and the status changes (acknowledged,
  work_started, referred, fixed, closed, reopened, duplicate_merged): the read model of each hub's
  open issues and their support (public fields only), a forum agenda's open priorities.
- ``hub.participation.pb_ballot.submitted.v1`` and ``hub.participation.registration.submitted.v1``
  on ``hub.participation.inbound``: a ballot or a forum registration a partner took for one of its
  people (known as ``partner:<partner id>:<person_ref>``), through the same use cases and rules as
  the API's; taken once per ``ce_source`` + ``partner_ref``, only from a partner granted the type
  and the hub (``hub_common.partner_grants``). One that can never be valid (outside the voting
  window, over the budget, a full meeting without a waitlist) is dead-lettered with the reason.
- ``hub.identity.partner.*``: the read model of partners' grants that check is made against.
"""

from __future__ import annotations

from collections.abc import Awaitable

from hub_common.auth import Principal
from hub_common.consumer import Handler, PermanentError, TransientError
from hub_common.contracts.assets import RoomBookingAnswered
from hub_common.contracts.issues import (
    IssueAcknowledged,
    IssueClosed,
    IssueDuplicateMerged,
    IssueFeedbackReceived,
    IssueFixed,
    IssueReferred,
    IssueReopened,
    IssueReported,
    IssueSupported,
    IssueWorkStarted,
)
from hub_common.contracts.participation import PartnerBallotSubmitted, PartnerRegistrationSubmitted
from hub_common.envelope import Envelope
from hub_common.errors import PreconditionFailed, ProblemError
from hub_common.partner_grants import PartnerGrantRepository, grant_handlers, guarded_inbound
from hub_common.privacy import privacy_handlers
from hub_common.uow import Transaction
from hub_participation.service import UseCases

# What the open priorities follow: the report, its "me too"s and every change of its status.
ISSUE_EVENTS = (
    IssueReported,
    IssueSupported,
    IssueAcknowledged,
    IssueWorkStarted,
    IssueReferred,
    IssueFixed,
    IssueClosed,
    IssueReopened,
    IssueDuplicateMerged,
)


def handlers(use_cases: UseCases, grants: PartnerGrantRepository) -> dict[str, Handler]:
    async def on_room_answered(event: Envelope, tx: Transaction) -> None:
        data: RoomBookingAnswered = event.data  # type: ignore[assignment]
        await use_cases.meetings.room_answered(data, tx)

    async def on_feedback(event: Envelope, tx: Transaction) -> None:
        data: IssueFeedbackReceived = event.data  # type: ignore[assignment]
        await use_cases.satisfaction.count(tx, data)

    async def on_issue(event: Envelope, tx: Transaction) -> None:
        await use_cases.priorities.apply(tx, event.data)  # type: ignore[arg-type]

    async def on_partner_ballot(event: Envelope, tx: Transaction, _partner: Principal | None) -> None:
        data: PartnerBallotSubmitted = event.data  # type: ignore[assignment]
        await _taken(f"ballot {data.partner_ref}", use_cases.partner_inbound.ballot(tx, event.source, data))

    async def on_partner_registration(event: Envelope, tx: Transaction, _partner: Principal | None) -> None:
        data: PartnerRegistrationSubmitted = event.data  # type: ignore[assignment]
        await _taken(f"registration {data.partner_ref}", use_cases.partner_inbound.registration(tx, event.source, data))

    return {
        RoomBookingAnswered.event_type: on_room_answered,
        IssueFeedbackReceived.event_type: on_feedback,
        **{contract.event_type: on_issue for contract in ISSUE_EVENTS},
        **guarded_inbound(
            "participation",
            grants,
            {
                PartnerBallotSubmitted.event_type: on_partner_ballot,
                PartnerRegistrationSubmitted.event_type: on_partner_registration,
            },
        ),
        **grant_handlers(grants),
        **privacy_handlers("participation", use_cases.personal_data),
    }


async def _taken(what: str, work: Awaitable[object]) -> None:
    """A partner's message applied; a rule it breaks can never be met (the DLT, with the reason), while
    a round or meeting changed meanwhile is read again."""
    try:
        await work
    except PreconditionFailed as exc:
        raise TransientError(str(exc)) from exc
    except ProblemError as exc:
        fields = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors or [])
        raise PermanentError(f"{what} refused: {exc.detail}{' (' + fields + ')' if fields else ''}") from exc

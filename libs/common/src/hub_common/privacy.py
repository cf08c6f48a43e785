"""Every service's part in a privacy request: erase or export what it holds under a person's ids, and answer.

The owner (notifications) publishes ``PrivacyRequestOpened`` on ``hub.privacy`` with every id the
person is known by; each service's consumer runs :func:`privacy_handlers`, which asks the service's
own :class:`PersonalData` (its composition root builds one) and publishes the answer in the same
transaction. A replay of the request is dropped by the consumer's inbox; a second request about
the same person finds nothing more to erase and says so.
"""

from __future__ import annotations

from typing import Any, Protocol

from hub_common.consumer import Handler
from hub_common.contracts.privacy import ANSWER_TYPES, HeldData, PrivacyRequestOpened, answer_key
from hub_common.envelope import Envelope
from hub_common.logging import get_logger
from hub_common.uow import Transaction

log = get_logger(__name__)


class PersonalData(Protocol):
    """What one service holds about people, found by the opaque person ids it keyed it by."""

    async def erase_people(self, person_ids: list[str], tx: Transaction) -> list[HeldData]:
        """Erase or anonymise everything held under these ids (keep anonymous public records); say what."""
        ...

    async def export_people(self, person_ids: list[str], tx: Transaction) -> tuple[list[HeldData], dict[str, Any]]:
        """Everything held under these ids, as JSON, and what kinds it was (nobody else's data)."""
        ...


def privacy_handlers(service: str, personal_data: PersonalData) -> dict[str, Handler]:
    answer_type = ANSWER_TYPES[service]

    async def on_request(event: Envelope, tx: Transaction) -> None:
        request: PrivacyRequestOpened = event.data  # type: ignore[assignment]
        export: dict[str, Any] | None = None
        if request.kind == "erasure":
            held = await personal_data.erase_people(request.person_ids, tx)
        else:
            held, export = await personal_data.export_people(request.person_ids, tx)
        tx.publish(
            answer_type(request_id=request.request_id, service=service, kind=request.kind, held=held, export=export),
            subject=answer_key(request.request_id, service),
        )
        # Counts and kinds only: never the ids' data.
        log.info("privacy request answered", request_id=request.request_id, kind=request.kind, kinds=len(held))

    return {PrivacyRequestOpened.event_type: on_request}


def held(kind: str, count: int, action: str) -> list[HeldData]:
    """One receipt line, or none when nothing of that kind was held (a receipt lists what there was)."""
    return [HeldData(kind=kind, count=count, action=action)] if count else []

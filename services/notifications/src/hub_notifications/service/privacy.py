"""Privacy requests: one erasure or subject access request per person, answered by every service.

Notifications owns them because its contact book is the one place where an email or phone maps to
the opaque ids each service keyed the person's records by (every service sends it the person's
details under those ids on ``hub.contacts``). The privacy team logs a request received by letter,
phone or email; this resolves the identifiers to the person's ids, publishes the request with the
ids alone on ``hub.privacy``, and records each service's answer (its own included, through the
same consumer) until the last one completes it. A service that is down answers when it is back:
the request says whom it waits for. An access request's export is kept for a set time, then the
retention schedule deletes it.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from datetime import datetime, timedelta
from typing import Any

from hub_common.audit import AccessAudit
from hub_common.auth import PRIVACY_ROLES, Principal
from hub_common.clock import Clock
from hub_common.contracts.privacy import (
    PrivacyAnswerCollected,
    PrivacyRequestAnswered,
    PrivacyRequestCompleted,
    PrivacyRequestOpened,
    RequestKind,
    answer_key,
)
from hub_common.contracts.topics import SERVICES
from hub_common.errors import RuleViolation
from hub_common.logging import get_logger
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_notifications.adapters.contacts import ContactRepository
from hub_notifications.adapters.privacy import PrivacyRequestRepository
from hub_notifications.domain.privacy import PrivacyRequest, ServiceAnswer, Status, one_month_after

log = get_logger(__name__)


class PrivacyService:
    def __init__(
        self,
        uow: UnitOfWork,
        requests: PrivacyRequestRepository,
        contacts: ContactRepository,
        *,
        clock: Clock,
        export_ttl: timedelta,
        audit: AccessAudit,
    ) -> None:
        self.uow = uow
        self.requests = requests
        self.contacts = contacts
        self.clock = clock
        self.export_ttl = export_ttl
        self.audit = audit  # a request names the person (until it completes); its export holds their data

    async def open(
        self,
        caller: Principal,
        *,
        kind: RequestKind,
        email: str | None,
        phone: str | None,
        reference: str,
        reason: str,
        idempotency: IdempotentRequest | None = None,
    ) -> PrivacyRequest:
        caller.require_role(*PRIVACY_ROLES)
        if not email and not phone:
            raise RuleViolation(
                "name the person by their email, their phone number or both",
                errors=[{"field": "email", "message": "give an email or a phone number", "type": "missing"}],
            )
        people = await self.contacts.known_as(email, phone)
        now = self.clock()
        request = PrivacyRequest(
            id=f"pr-{uuid.uuid4().hex[:20]}",
            kind=kind,
            reference=reference,
            reason=reason,
            handled_by=caller.sub,
            email=email,
            phone=phone,
            people_found=len(people),
            services=SERVICES,
            received_at=now,
            due_at=one_month_after(now),
        )

        async def work(tx: Transaction) -> PrivacyRequest:
            await self.requests.add(request, tx.session)
            tx.publish(
                PrivacyRequestOpened(
                    request_id=request.id,
                    kind=kind,
                    person_ids=sorted(person.id for person in people),
                    due_at=request.due_at,
                ),
                subject=request.id,
            )
            return request

        opened = await self.uow.run(work, idempotency=idempotency, result_type=PrivacyRequest)
        log.info("privacy request opened", request_id=opened.id, kind=kind, people_found=opened.people_found)
        return opened

    async def record_answer(self, answer: PrivacyRequestAnswered, tx: Transaction) -> None:
        """A service answered (from the consumer): keep its receipt lines and its part of an export,
        supersede the answer in the topic, and complete the request with the last one."""
        request = await self.requests.find(answer.request_id, tx.session)
        if request is None:  # not ours to track (another deployment's, or long gone)
            return
        now = self.clock()
        if answer.export is not None and request.status == "open":
            await self.requests.keep_export(request.id, answer.service, answer.export, tx.session)
        # The export is in our database now: its copy in the compacted topic is superseded.
        tx.publish(
            PrivacyAnswerCollected(request_id=request.id, service=answer.service),
            subject=answer_key(request.id, answer.service),
        )
        updated = request.answered(
            ServiceAnswer(service=answer.service, answered_at=now, held=answer.held), export_ttl=self.export_ttl
        )
        if updated is request:
            return
        await self.requests.save_if_version(updated, request.version, tx.session)
        if updated.status == "completed":
            if updated.kind == "access":
                await self.requests.export_complete(updated.id, now, tx.session)
            # The stored response to the request that opened it named the person.
            await tx.erase_idempotent_results([updated.id])
            tx.publish(
                PrivacyRequestCompleted(request_id=updated.id, kind=updated.kind, completed_at=now), subject=updated.id
            )
            log.info("privacy request completed", request_id=updated.id, kind=updated.kind)

    async def get(self, caller: Principal, request_id: str) -> PrivacyRequest:
        caller.require_role(*PRIVACY_ROLES)
        request = await self.requests.get(request_id)
        await self._audit(caller, request, "read")
        return request

    async def _audit(self, caller: Principal, request: PrivacyRequest, why: str) -> None:
        # Under the request's id: the person's own ids are not kept with it.
        await self.audit.read(caller, kind="privacy request", record_ids=[request.id], person_ids=[request.id], why=why)

    async def listing(
        self, caller: Principal, status: Status | None, *, limit: int, cursor: str | None
    ) -> tuple[list[PrivacyRequest], str | None]:
        caller.require_role(*PRIVACY_ROLES)
        requests, next_cursor = await self.requests.listing(status, limit=limit, cursor=cursor)
        ids = [request.id for request in requests]
        await self.audit.read(caller, kind="privacy requests", record_ids=ids, person_ids=ids, why=f"{status} list")
        return requests, next_cursor

    async def export_archive(self, caller: Principal, request_id: str) -> tuple[str, bytes]:
        """The subject access export as one zip: a JSON file per service and the receipt."""
        caller.require_role(*PRIVACY_ROLES)
        request = await self.requests.get(request_id)
        request.require_export(self.clock())
        await self._audit(caller, request, "export downloaded")
        parts = await self.requests.export_parts(request.id)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("receipt.json", _json(receipt(request)))
            for service in request.services:
                archive.writestr(f"{service}.json", _json(parts.get(service, {})))
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", request.reference).strip("-") or request.id
        return f"subject-access-{name}.zip", buffer.getvalue()

    async def remove_exports(self, cutoff: datetime) -> int:
        """Retention: the exports of requests completed before ``cutoff`` are deleted."""
        return await self.requests.remove_exports(cutoff)


def receipt(request: PrivacyRequest) -> dict[str, Any]:
    """What each service held and what it did: the answer the person (or the council) is given."""
    return {
        "request": request.id,
        "reference": request.reference,
        "kind": request.kind,
        "received_at": request.received_at.isoformat(),
        "completed_at": request.completed_at.isoformat() if request.completed_at else None,
        "services": {
            service: [line.model_dump() for line in answer.held] for service, answer in request.answers.items()
        },
    }


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str)

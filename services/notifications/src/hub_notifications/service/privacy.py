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

import hashlib
import hmac
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
    ANSWER_TYPES,
    PrivacyAnswerCollected,
    PrivacyConfirmationRequested,
    PrivacyRequestAnswered,
    PrivacyRequestCompleted,
    PrivacyRequestOpened,
    RequestKind,
    answer_key,
)
from hub_common.errors import Forbidden, Gone, NotFound, RuleViolation, TooManyRequests
from hub_common.logging import get_logger
from hub_common.uow import IdempotentRequest, Transaction, UnitOfWork
from hub_notifications.adapters.contacts import ContactRepository, email_key
from hub_notifications.adapters.privacy import PrivacyRequestRepository
from hub_notifications.domain.privacy import (
    CONFIRMATION_SUB,
    EXPORT_SUB,
    SELF,
    Confirmation,
    PrivacyRequest,
    ServiceAnswer,
    Status,
    one_month_after,
)

log = get_logger(__name__)

CONFIRM_WITHIN = timedelta(days=1)  # an emailed confirmation link works once, for this long
ASKS_PER_ADDRESS = (3, timedelta(days=1))  # at most 3 asks about one address a day
ASKS_PER_CLIENT = (10, timedelta(hours=1))  # and 10 an hour from one client
ASKS_COUNTED_FOR = max(ASKS_PER_ADDRESS[1], ASKS_PER_CLIENT[1])  # an ask older than this limits nothing


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
        secret: str,
    ) -> None:
        self.uow = uow
        self.requests = requests
        self.contacts = contacts
        self.clock = clock
        self.export_ttl = export_ttl
        self.audit = audit  # a request names the person (until it completes); its export holds their data
        self.secret = secret.encode()

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
        """The privacy team logs a request received by letter, phone or email."""
        caller.require_role(*PRIVACY_ROLES)
        if not email and not phone:
            raise RuleViolation(
                "name the person by their email, their phone number or both",
                errors=[{"field": "email", "message": "give an email or a phone number", "type": "missing"}],
            )

        async def work(tx: Transaction) -> PrivacyRequest:
            return await self._open(
                tx, kind=kind, email=email, phone=phone, reference=reference, reason=reason, handled_by=caller.sub
            )

        return await self.uow.run(work, idempotency=idempotency, result_type=PrivacyRequest)

    async def _open(
        self,
        tx: Transaction,
        *,
        kind: RequestKind,
        email: str | None,
        phone: str | None,
        reference: str,
        reason: str,
        handled_by: str,
        notify_person_id: str | None = None,
    ) -> PrivacyRequest:
        people = await self.contacts.known_as(email, phone)
        now = self.clock()
        request = PrivacyRequest(
            id=f"pr-{uuid.uuid4().hex[:20]}",
            kind=kind,
            reference=reference,
            reason=reason,
            handled_by=handled_by,
            email=email,
            phone=phone,
            people_found=len(people),
            services=tuple(ANSWER_TYPES),  # the services that hold data about people answer
            received_at=now,
            due_at=one_month_after(now),
            notify_person_id=notify_person_id,
        )
        await self.requests.add(request, tx.session)
        tx.publish(
            PrivacyRequestOpened(
                request_id=request.id, kind=kind, person_ids=sorted(p.id for p in people), due_at=request.due_at
            ),
            subject=request.id,
        )
        log.info("privacy request opened", request_id=request.id, kind=kind, people_found=len(people))
        return request

    # -- the person's own request, by the link sent to their email ----------------------------------

    async def ask_by_email(self, *, kind: RequestKind, email: str, client: str) -> None:
        """Anyone may ask, giving an email address; the answer is the same whether or not we hold
        anything under it. If we do, its owner is emailed a link that works once, for a day, to
        confirm; nothing happens until they do. Limited per address and per client."""
        now = self.clock()
        key, source = self._hash(email_key(email)), self._hash(client)
        for field, value, most, window in (("key", key, *ASKS_PER_ADDRESS), ("client", source, *ASKS_PER_CLIENT)):
            if await self.requests.attempts_since(field, value, now - window) >= most:
                raise TooManyRequests(
                    "too many requests; please try again later", retry_after_s=int(window.total_seconds())
                )
        reachable = [p for p in await self.contacts.known_as(email, None) if p.why_not_by("email") is None]

        async def work(tx: Transaction) -> None:
            await self.requests.record_attempt(key, source, now, tx.session)
            if not reachable:
                return
            confirmation = Confirmation(
                id=uuid.uuid4().hex,
                kind=kind,
                email=email,
                person_id=reachable[0].id,
                created_at=now,
                expires_at=now + CONFIRM_WITHIN,
            )
            await self.requests.add_confirmation(confirmation, tx.session)
            tx.publish(
                PrivacyConfirmationRequested(
                    confirmation_id=confirmation.id,
                    person_id=confirmation.person_id,
                    kind=kind,
                    confirmation_sub=CONFIRMATION_SUB + confirmation.id,
                    expires_at=confirmation.expires_at,
                ),
                subject=confirmation.id,
            )

        await self.uow.run(work)

    async def confirm(self, caller: Principal, confirmation_id: str) -> PrivacyRequest:
        """The person followed the emailed link (it signs them in as this confirmation): the request
        is opened for every id their address belongs to."""
        if caller.sub != CONFIRMATION_SUB + confirmation_id:
            raise Forbidden("use the link we emailed you")
        now = self.clock()

        async def work(tx: Transaction) -> PrivacyRequest:
            confirmation = await self.requests.confirmation(confirmation_id, tx.session)
            if confirmation is None:
                raise NotFound("there is no such request; ask again")
            used = confirmation.use(now)
            if not await self.requests.use_confirmation(used, tx.session):
                raise Gone("this link has been used already; your request is being handled")
            return await self._open(
                tx,
                kind=confirmation.kind,
                email=confirmation.email,
                phone=None,
                reference=f"self-{confirmation.id[:8]}",
                reason="asked by the person, who confirmed with the link sent to their email",
                handled_by=SELF,
                notify_person_id=confirmation.person_id,
            )

        return await self.uow.run(work)

    def _hash(self, value: str) -> str:
        """Rate limits count asks without keeping the addresses (or clients) asked about."""
        return hmac.new(self.secret, value.encode(), hashlib.sha256).hexdigest()

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
            # The person who asked by email is sent a link to their export (their erasure leaves no address).
            notify = updated.notify_person_id if updated.kind == "access" else None
            tx.publish(
                PrivacyRequestCompleted(
                    request_id=updated.id,
                    kind=updated.kind,
                    completed_at=now,
                    person_id=notify,
                    export_sub=EXPORT_SUB + updated.id if notify else None,
                    export_expires_at=updated.export_expires_at if notify else None,
                ),
                subject=updated.id,
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
        """The subject access export as one zip: a JSON file per service and the receipt. For the privacy
        team, or the person by the link emailed to them (it signs them in as this export)."""
        if caller.sub != EXPORT_SUB + request_id:
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

    async def remove_unconfirmed(self, cutoff: datetime) -> int:
        """Retention: expired confirmations go, with the address an unused one holds."""
        return await self.requests.remove_confirmations(cutoff)

    async def remove_asks(self, cutoff: datetime) -> int:
        """Retention: the (hashed) record of asks, once older than the longest rate-limit window."""
        return await self.requests.remove_attempts(cutoff)


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
